#include "cli/cycle_output.hpp"

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/text_table.hpp"

namespace newsmirror::cli {

std::function<void(std::string_view, std::size_t, std::size_t, std::string_view)>
progress_printer(const GlobalOptions& globals) {
  if (globals.quiet || globals.json || !isatty(STDERR_FILENO)) return {};
  return [](std::string_view stage, std::size_t done, std::size_t total, std::string_view item) {
    std::fprintf(stderr, "\r\033[K%.*s %zu/%zu %.*s", static_cast<int>(stage.size()), stage.data(),
                 done, total, static_cast<int>(item.size()), item.data());
    if (stage == "parse" && done == total) std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
  };
}

namespace {

std::string status_text(const mirror::SourceReport& source) {
  if (source.error) return std::string("failed: ") + source.error->message;
  if (source.not_modified) return "not modified";
  return "ok";
}

nlohmann::json timings_json(const std::vector<mirror::StageTiming>& timings) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& t : timings) {
    nlohmann::json row = {{"stage", t.stage}, {"cpu_seconds", t.cpu_seconds}, {"part", t.part}};
    if (!t.part) row["wall_seconds"] = t.wall_seconds;
    rows.push_back(std::move(row));
  }
  return rows;
}

void print_timings(const std::vector<mirror::StageTiming>& timings) {
  TextTable table({"STEP", "WALL S", "CPU S"});
  table.align_right(1);
  table.align_right(2);
  double wall = 0, cpu = 0;
  for (const auto& t : timings) {
    if (t.part) {
      table.add_row({"  " + t.stage + " (threads)", "", fmt::format("{:.3f}", t.cpu_seconds)});
      continue;
    }
    wall += t.wall_seconds;
    cpu += t.cpu_seconds;
    table.add_row({t.stage, fmt::format("{:.3f}", t.wall_seconds), fmt::format("{:.3f}", t.cpu_seconds)});
  }
  table.add_row({"total", fmt::format("{:.3f}", wall), fmt::format("{:.3f}", cpu)});
  std::cout << table.render() << std::flush;
}

nlohmann::json to_json(const mirror::CycleReport& report, const std::string& mirror_dir) {
  nlohmann::json sources = nlohmann::json::array();
  for (const auto& s : report.sources) {
    nlohmann::json j = {{"name", s.name},         {"url", s.url},
                        {"new", s.new_articles},  {"changed", s.changed},
                        {"unchanged", s.unchanged}, {"not_modified", s.not_modified},
                        {"ok", !s.failed()},      {"error", nullptr}};
    if (s.error)
      j["error"] = {{"kind", core::to_string(s.error->kind)}, {"message", s.error->message}};
    sources.push_back(std::move(j));
  }
  nlohmann::json catalog = {{"ok", !report.catalog_error}, {"error", nullptr}};
  if (report.catalog_error)
    catalog["error"] = {{"kind", core::to_string(report.catalog_error->kind)},
                        {"message", report.catalog_error->message}};
  return {{"mirror", mirror_dir},
          {"new", report.total_new()},
          {"failed", report.failed_count()},
          {"sources", std::move(sources)},
          {"catalog", std::move(catalog)}};
}

}  // namespace

void print_cycle_report(const mirror::CycleReport& report, const std::string& mirror_dir,
                        const GlobalOptions& globals, bool timings) {
  if (globals.json) {
    auto json = to_json(report, mirror_dir);
    if (timings) json["timings"] = timings_json(report.timings);
    std::cout << json.dump() << std::endl;
    return;
  }
  if (globals.quiet) {
    for (const auto& s : report.sources)
      if (s.error) std::cerr << s.name << ": " << s.error->message << "\n";
    if (timings) print_timings(report.timings);
    return;
  }
  TextTable table({"SOURCE", "NEW", "CHANGED", "UNCHANGED", "STATUS"});
  for (std::size_t c = 1; c <= 3; ++c) table.align_right(c);
  for (const auto& s : report.sources) {
    bool fetched = !s.failed() && !s.not_modified;
    auto count = [&](std::size_t n) { return fetched ? std::to_string(n) : std::string("-"); };
    table.add_row({s.name, count(s.new_articles), count(s.changed), count(s.unchanged), status_text(s)});
  }
  std::cout << table.render();
  std::size_t failed = report.failed_count();
  std::cout << report.total_new() << " new article(s) from " << report.sources.size()
            << " source(s) in " << mirror_dir;
  if (failed) std::cout << "; " << failed << " source(s) failed";
  std::cout << std::endl;
  if (timings) print_timings(report.timings);
}

int exit_status(const mirror::CycleReport& report) {
  return report.any_failed() || report.catalog_error ? kExitSomeFailed : kExitOk;
}

int report_error(const core::Error& error, const GlobalOptions& globals) {
  bool usage = error.kind == core::ErrorKind::config || error.kind == core::ErrorKind::usage;
  if (globals.json)
    std::cout << nlohmann::json{{"error", {{"kind", core::to_string(error.kind)},
                                           {"message", error.message}}}}.dump()
              << std::endl;
  std::cerr << "newsmirror: " << error.message << std::endl;
  if (error.kind == core::ErrorKind::busy) return kExitBusy;
  return usage ? kExitUsage : kExitFailure;
}

}  // namespace newsmirror::cli
