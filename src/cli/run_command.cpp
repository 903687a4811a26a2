#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <csignal>
#include <iostream>
#include <memory>
#include <random>
#include <thread>

#include "cli/command.hpp"
#include "cli/cycle_output.hpp"
#include "cli/git_publish_output.hpp"
#include "cli/mirror_lock.hpp"
#include "cli/stop_signal.hpp"
#include "config/config.hpp"
#include "core/time_zone.hpp"
#include "mirror/mirror.hpp"

namespace newsmirror::cli {

namespace {

struct RunSettings {
  std::string every;
  unsigned cycles = 0;
  bool publish = false;
  GitPublishSettings git;
};

// Commits (and pushes) after a cycle; false when that failed. A failure is
// logged and the loop goes on: the archive is safe, and the next cycle's
// commit picks up whatever this one could not.
bool publish_cycle(const RunSettings& settings, const GlobalOptions& globals) {
  auto outcome = publish_to_git(globals.mirror, settings.git, globals);
  if (!outcome) {
    spdlog::error("publish: {}", outcome.error().message);
    return false;
  }
  if (globals.json) std::cout << nlohmann::json{{"publish", to_json(*outcome, settings.git)}}.dump() << std::endl;
  print_git_publish(*outcome, settings.git, globals);
  if (outcome->push_error) {
    spdlog::error("publish: {}", outcome->push_error->message);
    return false;
  }
  return true;
}

// What a person watching `run` on a terminal sees between cycles: what the
// last cycle did and when the next one starts, in the mirror's time zone.
void print_waiting(const mirror::CycleReport& report, std::chrono::system_clock::time_point next,
                   const std::string& zone_name) {
  std::size_t changed = 0;
  for (const auto& source : report.sources) changed += source.changed;
  auto named = core::TimeZone::from_name(zone_name);
  const std::string when = core::local_time_text(std::chrono::floor<std::chrono::seconds>(next),
                                                 named ? *named : core::TimeZone());
  std::cerr << fmt::format("last cycle: {} source(s), {} new, {} changed, {} failed; next cycle at {} "
                           "(Ctrl-C to stop)\n",
                           report.sources.size(), report.total_new(), changed, report.failed_count(), when);
}

}  // namespace

Command add_run_command(CLI::App& parent, const GlobalOptions& globals) {
  auto settings = std::make_shared<RunSettings>();
  Command command;
  command.app = add_command(
      parent, "run", "Keep the mirror fresh: repeat cycles as sources fall due",
      "Keep the mirror fresh: repeat cycles, fetching each source when its interval\n"
      "has passed (the source's `interval`, else the global one). Waits between\n"
      "cycles with a little random jitter so that many mirrors do not hit a feed at\n"
      "once. SIGINT or SIGTERM finishes the cycle in flight and exits cleanly.\n"
      "\n"
      "--publish commits the mirror to git after every cycle that archived new or\n"
      "changed articles (as `newsmirror publish --git` does; --push also pushes).\n"
      "A failed commit or push is logged and does not stop the loop; it makes the\n"
      "exit status 3 when it happened in the last cycle. With --json, each commit\n"
      "adds a line {\"publish\": {...}} in the form of `publish --git --json`.");
  command.app->add_option("--every", settings->every,
                          "Longest wait between cycles, e.g. 15m (default: wake when the next "
                          "source is due)")
      ->type_name("DURATION");
  command.app->add_option("--cycles", settings->cycles, "Stop after this many cycles (0: never)")
      ->default_val(0);
  auto* publish_flag = command.app->add_flag(
      "--publish", settings->publish, "Commit the mirror to git after each cycle that archived something");
  command.app->add_flag("--push", settings->git.push, "With --publish: push after each commit (never forced)")
      ->needs(publish_flag);
  command.app->add_option("--remote", settings->git.remote, "With --push: the remote to push to")
      ->default_str("origin")
      ->type_name("NAME")
      ->needs(publish_flag);
  command.run = [&globals, settings] {
    std::optional<std::chrono::seconds> every;
    if (!settings->every.empty()) {
      every = config::parse_duration(settings->every);
      if (!every || every->count() <= 0)
        return report_error(core::Error(core::ErrorKind::usage,
                                        "--every: expected a duration like 15m, got \"" +
                                            settings->every + "\""),
                            globals);
    }
    std::optional<mirror::Mirror> mirror;  // opened under each cycle's lock

    StopOnSignal stop;
    const bool on_terminal = !globals.quiet && !globals.json && isatty(STDERR_FILENO);
    std::mt19937 random{std::random_device{}()};
    int status = kExitOk;
    for (unsigned cycle = 1; !stop.requested(); ++cycle) {
      std::optional<mirror::CycleReport> last;
      {
        // The lock is held for a cycle and its commit, not while waiting:
        // `save` or `sources add` get their turn between cycles.
        auto lock = lock_mirror(globals, "run");
        if (!lock) return report_error(lock.error(), globals);
        if (stop.requested()) break;  // Ctrl-C while waiting for the lock
        // Opened afresh under each cycle's lock: between cycles another
        // command may have changed the sources or swapped in a rebuilt
        // catalog, and a connection to the old one would write into a
        // deleted file.
        mirror.reset();
        auto opened = mirror::Mirror::open(globals.mirror);
        if (!opened) return report_error(opened.error(), globals);
        mirror.emplace(std::move(*opened));
        mirror::CycleOptions options;
        options.only_due = true;
        options.on_progress = stop.counting(progress_printer(globals));
        options.stop = stop.flag();
        options.look_for_temp_files = !lock->previous_holder_finished();
        auto report = mirror->run_cycle(options);
        if (!report) return report_error(report.error(), globals);
        lock->mark_finished();
        if (!report->sources.empty()) print_cycle_report(*report, globals.mirror, globals);
        status = exit_status(*report);
        std::size_t archived = 0;
        for (const auto& source : report->sources) archived += source.new_articles + source.changed;
        if (settings->publish && archived > 0 && !publish_cycle(*settings, globals) && status == kExitOk)
          status = kExitSomeFailed;
        last = std::move(*report);
      }
      if (settings->cycles != 0 && cycle >= settings->cycles) break;

      // Sleep until the next source is due (or --every), give or take 10%.
      auto now = std::chrono::system_clock::now();
      auto next = mirror->next_due(std::chrono::time_point_cast<std::chrono::milliseconds>(now));
      std::chrono::milliseconds wait = every ? std::chrono::milliseconds(*every)
                                             : std::chrono::milliseconds(15 * 60 * 1000);
      if (next) wait = std::min(wait, std::chrono::duration_cast<std::chrono::milliseconds>(*next - now));
      wait = std::max(wait, std::chrono::milliseconds(1000));
      std::uniform_real_distribution<double> jitter(0.9, 1.1);
      wait = std::chrono::milliseconds(static_cast<long long>(wait.count() * jitter(random)));
      spdlog::info("next cycle in {} s", wait.count() / 1000);
      if (on_terminal && last && !stop.requested()) print_waiting(*last, now + wait, mirror->config().timezone);
      stop.set_waiting(true);
      auto until = std::chrono::steady_clock::now() + wait;
      while (!stop.requested() && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      stop.set_waiting(false);
    }
    return status;
  };
  return command;
}

}  // namespace newsmirror::cli
