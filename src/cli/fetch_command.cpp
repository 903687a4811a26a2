#include <memory>

#include "cli/command.hpp"
#include "cli/cycle_output.hpp"
#include "cli/mirror_lock.hpp"
#include "cli/stop_signal.hpp"
#include "mirror/mirror.hpp"

namespace newsmirror::cli {

Command add_fetch_command(CLI::App& parent, const GlobalOptions& globals) {
  auto source = std::make_shared<std::string>();
  auto timings = std::make_shared<bool>(false);
  Command command;
  command.app = add_command(
      parent, "fetch", "Run one cycle: fetch every enabled source and archive what is new",
      "Run one cycle: fetch every enabled source, archive new articles, refresh the\n"
      "list pages and README. Prints a table per source (new, changed, unchanged,\n"
      "not modified, failed with the reason). Exit status: 0 when every source\n"
      "succeeded, 3 when some failed or the catalog (search, history) could not\n"
      "take the new articles (they are archived and listed all the same; the next\n"
      "cycle catalogs them), 2 for usage or configuration errors, 4 when\n"
      "another newsmirror writes the mirror and --no-wait was given.\n"
      "Ctrl-C skips the feeds not fetched yet, gives transfers in flight a few\n"
      "seconds and archives what came; a second Ctrl-C stops at once (safe too:\n"
      "the next run completes an interrupted cycle).\n"
      "--timings adds where the cycle's time went: wall and CPU seconds of each\n"
      "step (fetch, parse/clean/hash on all cores, numbering, writing, syncing,\n"
      "state, lists and README, then the catalog), and the CPU the worker threads spent\n"
      "on parsing, cleaning and rendering; with --json, as \"timings\".");
  command.app->add_option("--source", *source,
                          "Fetch only this source (by name), even when it is disabled")
      ->type_name("NAME");
  command.app->add_flag("--timings", *timings, "Print the wall and CPU time of each step of the cycle");
  command.run = [&globals, source, timings] {
    auto lock = lock_mirror(globals, "fetch");
    if (!lock) return report_error(lock.error(), globals);
    auto mirror = mirror::Mirror::open(globals.mirror);
    if (!mirror) return report_error(mirror.error(), globals);
    StopOnSignal stop;
    mirror::CycleOptions options;
    if (!source->empty()) options.only_source = *source;
    options.on_progress = stop.counting(progress_printer(globals));
    options.stop = stop.flag();
    options.look_for_temp_files = !lock->previous_holder_finished();
    auto report = mirror->run_cycle(options);
    if (!report) return report_error(report.error(), globals);
    lock->mark_finished();
    print_cycle_report(*report, globals.mirror, globals, *timings);
    return exit_status(*report);
  };
  return command;
}

}  // namespace newsmirror::cli
