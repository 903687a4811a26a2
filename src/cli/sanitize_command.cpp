// `newsmirror sanitize [--base-url U] [FILE|-]`: one HTML fragment in (a
// file, or standard input for "-" or no FILE), the sanitized fragment out,
// as an archived article would hold it.
#include <iostream>
#include <iterator>
#include <memory>

#include "clean/sanitizer.hpp"
#include "cli/command.hpp"
#include "core/read_file.hpp"

namespace newsmirror::cli {

namespace {

struct SanitizeArgs {
  std::string base_url;
  std::string file = "-";
};

int run_sanitize(const SanitizeArgs& args) {
  std::string html;
  if (args.file == "-") {
    html.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    if (std::cin.bad()) {
      std::cerr << "newsmirror sanitize: cannot read standard input\n";
      return kExitFailure;
    }
  } else {
    auto bytes = core::read_file(args.file);
    if (!bytes) {
      std::cerr << "newsmirror sanitize: " << args.file << ": " << bytes.error().message << "\n";
      return kExitFailure;
    }
    html = std::move(*bytes);
  }
  clean::SanitizeOptions options;
  options.base_url = args.base_url;
  std::cout << clean::sanitize_html(html, options);
  std::cout.flush();
  return std::cout ? kExitOk : kExitFailure;
}

}  // namespace

Command add_sanitize_command(CLI::App& parent, const GlobalOptions& globals) {
  (void)globals;
  auto args = std::make_shared<SanitizeArgs>();
  Command command;
  command.app = add_command(parent, "sanitize", "Print an HTML fragment as an archived article keeps it",
                            "Reads FILE (or standard input for - or no FILE) and prints the sanitized\n"
                            "HTML: no script, no active content, absolute URLs, no tracking pixels.");
  command.app->add_option("--base-url", args->base_url, "The article's URL, to resolve relative URLs")
      ->type_name("URL");
  command.app->add_option("file", args->file, "HTML fragment, or - for standard input")->type_name("FILE");
  command.run = [args] { return run_sanitize(*args); };
  return command;
}

}  // namespace newsmirror::cli
