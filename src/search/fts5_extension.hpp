// The FTS5 side of the search module: the "newsmirror" tokenizer (over
// tokenizer.hpp) and the newsmirror_snippet() auxiliary function.
// Internal to src/search.
#pragma once

#include "core/result.hpp"

struct fts5_api;

namespace newsmirror::search {

inline constexpr const char* kTokenizerName = "newsmirror";

// Registers them and newsmirror_rank() (rank_function.hpp) on `db`, unless
// the tokenizer already is.
//
// newsmirror_snippet(fts_table, open, close, column, tails): the text of
// `column` around its first match, about 40 characters (15 before it, 25
// from its start, longer rather than cut a match), each matched span
// between `open` and `close`, line breaks made spaces, "…" where text was
// cut. `tails` is ParsedQuery::phrase_tails as comma-separated numbers
// (a missing one counts as 0): a bigram's position stands for two
// characters, a lone character's for one, and only the query knows which
// it matched. (FTS5's own snippet() cannot be used: it assumes that tokens
// do not overlap, and bigrams do.)
core::Status register_fts5_extensions(fts5_api* api);

}  // namespace newsmirror::search
