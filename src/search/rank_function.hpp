// newsmirror_rank(): the search's ranking, an FTS5 auxiliary function.
// Internal to src/search.
//
//   newsmirror_rank(fts_table, weight_0, ..., weight_n, first_rowid, last_rowid)
//
// Okapi BM25 (k1 = 1.2, b = 0.75) like FTS5's own bm25(), one weight per
// column, negated so that the best match is the lowest. The difference is
// the inverse document frequency: bm25() counts every row that matches
// each phrase, once per query, which over 200,000 articles cost as much as
// the rest of the query. Here a phrase's count stops after its first
// kIdfSampleHits rows (in rowid order); a phrase that has more is assumed
// to go on at the same rate over the ids first_rowid..last_rowid (the
// table's). The logarithm makes the estimate's error small: within 5% of
// the count, the score moves by less than 1%.
#pragma once

struct fts5_api;

namespace newsmirror::search {

inline constexpr long long kIdfSampleHits = 500;

// SQLITE_OK or an SQLite error code.
int create_rank_function(fts5_api* api);

}  // namespace newsmirror::search
