#include "mirror/page_fetcher.hpp"

#include <algorithm>
#include <atomic>
#include <thread>

#include "core/parallel.hpp"
#include "extract/html_bytes.hpp"

namespace newsmirror::mirror {

namespace {

bool looks_like_html(std::string_view content_type) {
  std::string type(content_type.substr(0, content_type.find(';')));
  std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::tolower(c); });
  type.erase(std::remove(type.begin(), type.end(), ' '), type.end());
  // No type at all is common enough on small sites to give it a try.
  return type.empty() || type == "text/html" || type == "application/xhtml+xml";
}

core::Result<FetchedPage> read_page(const std::string& url, const core::Result<fetch::Response>& fetched) {
  using core::Error;
  using core::ErrorKind;
  if (!fetched) return fetched.error();
  const auto& response = fetched.value();
  if (response.status != 200)
    return Error(ErrorKind::http_status, url + ": HTTP " + std::to_string(response.status));
  if (!looks_like_html(response.content_type))
    return Error(ErrorKind::not_feed, url + ": not a web page (Content-Type \"" + response.content_type + "\")");
  FetchedPage page;
  page.url = response.effective_url.empty() ? url : response.effective_url;
  auto html = extract::decode_html_bytes(response.body, response.content_type);
  auto article = extract::extract_article(html, page.url);
  if (!article) return article.error();
  page.article = std::move(*article);
  return page;
}

}  // namespace

std::vector<core::Result<FetchedPage>> fetch_pages(const std::vector<PageRequest>& requests,
                                                   const fetch::Options& options) {
  std::vector<fetch::Request> http_requests;
  for (const auto& request : requests) {
    fetch::Request http;
    http.url = request.url;
    http.proxy = request.proxy;
    http.user_agent = request.user_agent;
    http.public_only = request.public_only;
    http_requests.push_back(std::move(http));
  }
  fetch::Client client(options);
  auto fetched = client.fetch_all(http_requests);

  // Extraction is CPU work (a whole page's tree each): spread it over cores.
  std::vector<core::Result<FetchedPage>> pages(requests.size(), core::Error(core::ErrorKind::internal, "not read"));
  core::parallel_for(requests.size(), [&](std::size_t i) {
    // A throw costs this one page, not the others.
    try {
      pages[i] = read_page(requests[i].url, fetched[i]);
    } catch (const std::exception& e) {
      pages[i] = core::Error(core::ErrorKind::internal, requests[i].url + ": reading the page failed: " + e.what());
    }
  });
  return pages;
}

}  // namespace newsmirror::mirror
