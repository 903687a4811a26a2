// `newsmirror parse FILE`: one feed document in, the parsed-feed JSON of
// ../shared/corpus/feeds/SCHEMA.md out. The conformance corpus drives it.
#include <iostream>
#include <iterator>
#include <memory>

#include <nlohmann/json.hpp>

#include "clean/sanitizer.hpp"
#include "cli/command.hpp"
#include "core/read_file.hpp"
#include "parse/feed_parser.hpp"
#include "parse/feed_schema_json.hpp"

namespace newsmirror::cli {

namespace {

struct ParseArgs {
  std::string content_type;
  std::string base_url;
  bool clean = false;
  std::string file;
};

int print_error(const std::string& message) {
  nlohmann::json error = {{"error", message}};
  std::cout << error.dump(2) << '\n';
  return kExitFailure;
}

int run_parse(const ParseArgs& args) {
  auto read = core::read_file(args.file);
  if (!read) return print_error(args.file + ": " + read.error().message);
  const std::string& bytes = *read;

  parse::ParseOptions options;
  options.content_type = args.content_type;
  options.base_url = args.base_url;
  if (args.clean) {
    options.markup_filter = [](std::string_view markup, std::string_view base_url) {
      return clean::sanitize_html(markup, clean::SanitizeOptions{std::string(base_url)});
    };
  }
  auto feed = parse::parse_feed(bytes, options);
  if (!feed) return print_error(feed.error().message);
  std::cout << parse::feed_to_json(*feed).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  return kExitOk;
}

}  // namespace

Command add_parse_command(CLI::App& parent, const GlobalOptions& globals) {
  (void)globals;
  auto args = std::make_shared<ParseArgs>();
  Command command;
  command.app = parent.add_subcommand("parse", "Parse one feed document and print it as JSON");
  command.app->add_option("--content-type", args->content_type, "HTTP Content-Type the document came with")
      ->type_name("TYPE");
  command.app->add_option("--base-url", args->base_url, "URL the document was fetched from")->type_name("URL");
  command.app->add_flag("--clean", args->clean, "Sanitize summary and content HTML");
  command.app->add_option("file", args->file, "Feed document (XML or JSON)")->required()->type_name("FILE");
  command.run = [args] { return run_parse(*args); };
  return command;
}

}  // namespace newsmirror::cli
