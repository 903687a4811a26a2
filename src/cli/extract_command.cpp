// `newsmirror extract --url URL FILE`: the main text and metadata of one
// saved article page, as the JSON object the extraction scorer reads:
// {"title","byline","published","lang","excerpt","content"}. The title is
// "" rather than null for a page without one, as reader modes report it.
#include <iostream>
#include <iterator>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "core/read_file.hpp"
#include "extract/extractor.hpp"
#include "extract/html_bytes.hpp"

namespace newsmirror::cli {

namespace {

struct ExtractArgs {
  std::string url;
  std::string content_type;
  std::string file;
};

nlohmann::json optional_string(const std::optional<std::string>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

int run_extract(const ExtractArgs& args) {
  std::string bytes;
  if (args.file == "-") {
    bytes.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    auto read = core::read_file(args.file);
    if (!read) {
      std::cerr << "newsmirror extract: " << args.file << ": " << read.error().message << '\n';
      return kExitFailure;
    }
    bytes = std::move(*read);
  }
  std::string html = extract::decode_html_bytes(bytes, args.content_type);
  auto article = extract::extract_article(html, args.url);
  if (!article) {
    std::cerr << "newsmirror extract: " << article.error().message << '\n';
    return kExitFailure;
  }
  nlohmann::json out = {
      {"title", article->title.value_or("")},     {"byline", optional_string(article->byline)},
      {"published", optional_string(article->published)}, {"lang", optional_string(article->lang)},
      {"excerpt", optional_string(article->excerpt)}, {"content", article->content_html},
  };
  std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  return kExitOk;
}

}  // namespace

Command add_extract_command(CLI::App& parent, const GlobalOptions& globals) {
  (void)globals;
  auto args = std::make_shared<ExtractArgs>();
  Command command;
  command.app = add_command(parent, "extract", "Extract the article text and metadata of a saved web page",
                            "Prints one JSON object: title, byline, published, lang, excerpt, content (HTML).");
  command.app->add_option("--url", args->url, "URL the page was fetched from (base for relative links)")
      ->required()
      ->type_name("URL");
  command.app->add_option("--content-type", args->content_type, "HTTP Content-Type the page came with")
      ->type_name("TYPE");
  command.app->add_option("file", args->file, "The page's HTML, or - for standard input")->required()->type_name("FILE");
  command.run = [args] { return run_extract(*args); };
  return command;
}

}  // namespace newsmirror::cli
