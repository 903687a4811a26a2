// `newsmirror serve`: the built-in reader (serve/mirror_handler.hpp over
// serve/http_server.hpp) until SIGINT or SIGTERM.
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <pthread.h>
#include <string>
#include <vector>

#include "catalog/catalog.hpp"
#include "cli/command.hpp"
#include "cli/cycle_output.hpp"
#include "config/config.hpp"
#include "core/mirror_layout.hpp"
#include "serve/http_server.hpp"
#include "serve/mirror_handler.hpp"

namespace newsmirror::cli {

namespace {

namespace fs = std::filesystem;

struct ServeOptions {
  std::string listen = "127.0.0.1:8080";
  unsigned threads = 0;
  std::size_t max_connections = 512;
  std::size_t cache_mb = 64;
  std::string templates;
  std::vector<std::string> variants;
  std::string base_url;
  bool verbose = false;
};

int run_serve(const GlobalOptions& globals, const ServeOptions& options) {
  std::error_code ec;
  const fs::path mirror = globals.mirror;
  if (!fs::exists(config::config_path(mirror), ec) && !fs::exists(core::layout::catalog_db(mirror), ec))
    return report_error(core::Error(core::ErrorKind::usage,
                                    fmt::format("{} is not a mirror (no {} and no catalog): run `newsmirror init {}` "
                                                "and `newsmirror import` first",
                                                mirror.string(), config::config_path(mirror).string(), mirror.string())),
                        globals);

  serve::MirrorHandlerOptions handler_options;
  handler_options.mirror = mirror;
  handler_options.render.variants = options.variants;
  handler_options.render.base_url = options.base_url;
  if (!options.templates.empty()) handler_options.render.templates_dir = fs::path(options.templates);
  handler_options.cache_bytes = options.cache_mb << 20;
  auto handler = std::make_shared<serve::MirrorHandler>(std::move(handler_options));

  serve::ServerOptions server_options;
  server_options.listen = options.listen;
  server_options.threads = options.threads;
  server_options.max_connections = options.max_connections;
  if (options.verbose) {
    // Its own logger, so that --verbose shows requests whatever --log-level says.
    auto access = std::make_shared<spdlog::logger>("access", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    access->set_pattern("%Y-%m-%dT%H:%M:%S.%e %v");
    server_options.access_log = [access](const serve::AccessRecord& r) {
      access->info("{} \"{} {}\" {} {} {:.1f}ms", r.remote, r.method, r.target, r.status, r.bytes,
                    static_cast<double>(r.duration.count()) / 1000.0);
    };
  }

  // SIGINT and SIGTERM are taken by sigwait below: blocked here, before the
  // server's threads start, so that they inherit the mask and none of them
  // is interrupted.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto server = serve::HttpServer::start(
      std::move(server_options), [handler](const serve::Request& request) { return handler->handle(request); });
  if (!server) return report_error(server.error(), globals);

  const std::string url = fmt::format("http://{}/", (*server)->address());
  if (globals.json) fmt::print("{}\n", nlohmann::json{{"listen", (*server)->address()}, {"url", url}}.dump());
  else fmt::print("Serving {} on {}\n", mirror.string(), url);
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  spdlog::info("signal {}: stopping", signal_number);
  (*server)->stop();
  (*server)->wait();
  return kExitOk;
}

}  // namespace

Command add_serve_command(CLI::App& parent, const GlobalOptions& globals) {
  auto options = std::make_shared<ServeOptions>();
  Command command;
  command.app = add_command(
      parent, "serve", "Serve the mirror's site, search and images over HTTP",
      "Answers the pages `newsmirror build` writes, rendered from the catalog as they are asked "
      "for (and kept until the catalog changes), the mirror's images under /assets/, a search "
      "page (search.html?q=), GET /api/search?q=... (also site, since, until, limit, offset; "
      "{\"total\": N, \"total_exact\": false when N is only a lower bound, past 12,000 matches, "
      "\"results\": [...]} with the fields of `newsmirror search --json`), "
      "GET /api/articles (newest first; site, limit, offset) and /healthz. Only GET and HEAD.\n"
      "The first line on stdout names the address bound, e.g. \"Serving . on "
      "http://127.0.0.1:8080/\" (with --json: {\"listen\": ..., \"url\": ...}); with port 0 the "
      "system picks a free port and that line tells which. Runs until SIGINT or SIGTERM.");
  command.app->add_option("--listen", options->listen, "Address to listen on (port 0: any free port)")
      ->type_name("HOST:PORT")
      ->default_str("127.0.0.1:8080");
  command.app->add_option("--threads", options->threads, "Worker threads (default: one per hardware thread)")
      ->type_name("N")
      ->check(CLI::Range(0u, 1024u));
  command.app->add_option("--max-connections", options->max_connections,
                          "Open connections at most; beyond, the longest-waiting idle one is closed (default 512)")
      ->type_name("N")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20));
  command.app->add_option("--cache-mb", options->cache_mb, "Memory for rendered responses (default 64)")
      ->type_name("MB")
      ->check(CLI::Range(std::size_t{0}, std::size_t{1} << 20));
  command.app->add_option("--templates", options->templates, "A folder whose files override the built-in templates")
      ->type_name("DIR");
  command.app->add_option("--variants", options->variants, "Also answer pages converted with OpenCC (hant, hans)")
      ->delimiter(',')
      ->check(CLI::IsMember({"hant", "hans"}));
  command.app->add_option("--base-url", options->base_url, "Absolute URL the site is published under (for feeds)")
      ->type_name("URL");
  command.app->add_flag("-v,--verbose", options->verbose, "Log one line per request on stderr");
  command.run = [&globals, options] { return run_serve(globals, *options); };
  return command;
}

}  // namespace newsmirror::cli
