#include "mirror/image_localizer.hpp"

#include <map>
#include <memory>

#include <spdlog/spdlog.h>

#include "assets/image_store.hpp"
#include "clean/dom.hpp"
#include "clean/image_links.hpp"

namespace newsmirror::mirror {

ImageLocalizer::ImageLocalizer(std::filesystem::path mirror_dir, fetch::Options fetch_options)
    : mirror_dir_(std::move(mirror_dir)), fetch_options_(fetch_options) {}

std::vector<LocalizedImages> ImageLocalizer::localize(const std::vector<ImageJob>& jobs,
                                                      const OnProgress& on_progress) {
  std::vector<LocalizedImages> results(jobs.size());
  std::vector<std::unique_ptr<clean::Node>> trees(jobs.size());
  // (url, public only) -> index into requests; the first article using a
  // URL decides the proxy and user agent it is fetched with. An article
  // from a source limited to public addresses never gets an image that
  // another source was allowed to fetch from a private one.
  std::map<std::pair<std::string, bool>, std::size_t> request_of_url;
  std::vector<fetch::Request> requests;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    results[i].html = jobs[i].html;
    auto tree = clean::parse_fragment(jobs[i].html);
    auto urls = clean::image_urls(*tree);
    if (urls.empty()) continue;
    // An article of a thousand images would be a thousand requests: the
    // first kMaxImagesPerArticle now, the rest stay remote and are taken
    // up by the retries of later cycles (the localized ones drop out).
    if (urls.size() > kMaxImagesPerArticle) urls.resize(kMaxImagesPerArticle);
    for (auto& url : urls) {
      auto key = std::make_pair(url, jobs[i].public_only);
      if (request_of_url.count(key)) continue;
      request_of_url[key] = requests.size();
      fetch::Request request;
      request.url = url;
      request.proxy = jobs[i].proxy;
      request.user_agent = jobs[i].user_agent;
      request.public_only = jobs[i].public_only;
      requests.push_back(std::move(request));
    }
    trees[i] = std::move(tree);
  }
  if (requests.empty()) return results;

  fetch::Client client(fetch_options_);
  std::size_t done = 0;
  auto responses = client.fetch_all(requests, [&](std::size_t, const auto&) {
    if (on_progress) on_progress(++done, requests.size());
  });

  std::vector<std::optional<std::string>> stored(requests.size());
  for (std::size_t k = 0; k < responses.size(); ++k) {
    const auto& url = requests[k].url;
    if (!responses[k]) {
      spdlog::info("image {}: {}", url, responses[k].error().message);
      continue;
    }
    const auto& response = responses[k].value();
    if (response.status != 200) {
      spdlog::info("image {}: HTTP {}", url, response.status);
      continue;
    }
    auto extension = assets::raster_image_extension(response.content_type, response.body);
    if (!extension) {
      spdlog::info("image {}: not a raster image (Content-Type \"{}\")", url, response.content_type);
      continue;
    }
    auto path = assets::store_image(mirror_dir_, response.body, *extension);
    if (!path) {
      spdlog::warn("image {}: {}", url, path.error().message);
      continue;
    }
    stored[k] = std::move(*path);
  }

  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (!trees[i]) continue;
    auto& result = results[i];
    result.remote_left = clean::replace_image_urls(*trees[i], [&](std::string_view url) -> std::optional<std::string> {
      auto found = request_of_url.find(std::make_pair(std::string(url), jobs[i].public_only));
      if (found == request_of_url.end() || !stored[found->second]) return std::nullopt;
      ++result.localized;
      return assets::relative_asset_link(jobs[i].article_path, *stored[found->second]);
    });
    if (result.localized > 0) result.html = clean::serialize_children(*trees[i]);
  }
  return results;
}

}  // namespace newsmirror::mirror
