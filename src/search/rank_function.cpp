#include "search/rank_function.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <new>
#include <vector>

namespace newsmirror::search {
namespace {

constexpr double kK1 = 1.2;
constexpr double kB = 0.75;

// What every row's score needs, worked out at the query's first row.
struct QueryStatistics {
  std::vector<double> column_weights;
  std::vector<double> idf;        // per phrase
  double average_length = 1;      // tokens in a row, all columns
  std::vector<double> frequency;  // per phrase, the current row's (scratch)
};

struct PhraseSample {
  sqlite3_int64 hits = 0;
  sqlite3_int64 last_rowid = 0;
};

int count_hit(const Fts5ExtensionApi* api, Fts5Context* fts, void* data) {
  auto& sample = *static_cast<PhraseSample*>(data);
  sample.last_rowid = api->xRowid(fts);
  return ++sample.hits >= kIdfSampleHits ? SQLITE_DONE : SQLITE_OK;
}

// The number of rows that hold phrase `phrase`, counted up to the sample
// size and extrapolated beyond it (rank_function.hpp).
int estimate_rows_with(const Fts5ExtensionApi* api, Fts5Context* fts, int phrase, sqlite3_int64 first_rowid,
                       sqlite3_int64 last_rowid, double rows, double& estimate) {
  PhraseSample sample;
  if (int rc = api->xQueryPhrase(fts, phrase, &sample, count_hit); rc != SQLITE_OK) return rc;
  estimate = static_cast<double>(sample.hits);
  if (sample.hits >= kIdfSampleHits && sample.last_rowid >= first_rowid && last_rowid > sample.last_rowid) {
    const double covered = static_cast<double>(sample.last_rowid - first_rowid + 1);
    const double span = static_cast<double>(last_rowid - first_rowid + 1);
    estimate = std::min(rows, estimate * span / covered);
  }
  return SQLITE_OK;
}

int compute_statistics(const Fts5ExtensionApi* api, Fts5Context* fts, const std::vector<double>& weights,
                       sqlite3_int64 first_rowid, sqlite3_int64 last_rowid, QueryStatistics& out) {
  sqlite3_int64 rows = 0, tokens = 0;
  if (int rc = api->xRowCount(fts, &rows); rc != SQLITE_OK) return rc;
  if (int rc = api->xColumnTotalSize(fts, -1, &tokens); rc != SQLITE_OK) return rc;
  out.column_weights = weights;
  out.average_length = rows > 0 ? std::max(1.0, static_cast<double>(tokens) / static_cast<double>(rows)) : 1.0;
  const int phrases = api->xPhraseCount(fts);
  out.idf.assign(static_cast<std::size_t>(phrases), 0);
  out.frequency.assign(static_cast<std::size_t>(phrases), 0);
  for (int p = 0; p < phrases; ++p) {
    double with_phrase = 0;
    if (int rc = estimate_rows_with(api, fts, p, first_rowid, last_rowid, static_cast<double>(rows), with_phrase);
        rc != SQLITE_OK)
      return rc;
    // As bm25(): a phrase in more than half the rows still counts a little.
    const double idf = std::log((static_cast<double>(rows) - with_phrase + 0.5) / (with_phrase + 0.5));
    out.idf[static_cast<std::size_t>(p)] = std::max(idf, 1e-6);
  }
  return SQLITE_OK;
}

void rank_function(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_context* result, int arg_count,
                   sqlite3_value** args) {
  const int columns = api->xColumnCount(fts);
  if (arg_count != columns + 2) {
    sqlite3_result_error(result, "newsmirror_rank(table, one weight per column, first_rowid, last_rowid): wrong "
                                 "number of arguments", -1);
    return;
  }
  auto* stats = static_cast<QueryStatistics*>(api->xGetAuxdata(fts, 0));
  if (stats == nullptr) {
    stats = new (std::nothrow) QueryStatistics;
    if (stats == nullptr) {
      sqlite3_result_error_nomem(result);
      return;
    }
    std::vector<double> weights;
    for (int c = 0; c < columns; ++c) weights.push_back(sqlite3_value_double(args[c]));
    int rc = compute_statistics(api, fts, weights, sqlite3_value_int64(args[columns]),
                                sqlite3_value_int64(args[columns + 1]), *stats);
    if (rc == SQLITE_OK) rc = api->xSetAuxdata(fts, stats, [](void* p) { delete static_cast<QueryStatistics*>(p); });
    else delete stats;
    if (rc != SQLITE_OK) {
      sqlite3_result_error_code(result, rc);
      return;
    }
  }

  std::fill(stats->frequency.begin(), stats->frequency.end(), 0.0);
  int instances = 0;
  int rc = api->xInstCount(fts, &instances);
  for (int i = 0; rc == SQLITE_OK && i < instances; ++i) {
    int phrase = 0, column = 0, offset = 0;
    rc = api->xInst(fts, i, &phrase, &column, &offset);
    if (rc == SQLITE_OK && column >= 0 && column < columns)
      stats->frequency[static_cast<std::size_t>(phrase)] += stats->column_weights[static_cast<std::size_t>(column)];
  }
  int length = 0;
  if (rc == SQLITE_OK) rc = api->xColumnSize(fts, -1, &length);
  if (rc != SQLITE_OK) {
    sqlite3_result_error_code(result, rc);
    return;
  }
  const double normalized_length = kK1 * (1 - kB + kB * static_cast<double>(length) / stats->average_length);
  double score = 0;
  for (std::size_t p = 0; p < stats->frequency.size(); ++p) {
    const double f = stats->frequency[p];
    score += stats->idf[p] * f * (kK1 + 1) / (f + normalized_length);
  }
  sqlite3_result_double(result, -score);
}

}  // namespace

int create_rank_function(fts5_api* api) {
  return api->xCreateFunction(api, "newsmirror_rank", nullptr, rank_function, nullptr);
}

}  // namespace newsmirror::search
