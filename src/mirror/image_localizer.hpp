// Local images: the pictures of new articles are fetched once each, kept in
// the mirror (assets/image_store) and linked relatively from the articles
// (clean/image_links). An image that cannot be fetched, is too big, or is no
// raster image keeps its original URL; the caller records the article so a
// later cycle tries again.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "fetch/http_client.hpp"

namespace newsmirror::mirror {

struct ImageJob {
  std::string article_path;  // relative to the mirror: "articles/法广/1_x.md"
  std::string html;          // the article's HTML, already cleaned
  std::string proxy;         // the source's, as for its feed
  std::string user_agent;
  // Image URLs come from content: public addresses only, unless the
  // article's source allows private ones.
  bool public_only = true;
};

struct LocalizedImages {
  std::string html;             // with local links where an image was kept
  std::size_t localized = 0;    // image URLs now pointing into assets/
  std::size_t remote_left = 0;  // image URLs still remote (failed, too big, not an image)
};

// Images fetched per article in one call; the rest keep their URLs (and the
// article counts them in remote_left, so a later cycle tries again).
inline constexpr std::size_t kMaxImagesPerArticle = 50;

// `fetch_options.max_body_bytes` is the per-image size cap.
class ImageLocalizer {
 public:
  ImageLocalizer(std::filesystem::path mirror_dir, fetch::Options fetch_options);

  using OnProgress = std::function<void(std::size_t done, std::size_t total)>;
  // results[i] answers jobs[i]. Each distinct URL is fetched once, however
  // many articles use it; HTML without remote images comes back unchanged.
  std::vector<LocalizedImages> localize(const std::vector<ImageJob>& jobs,
                                        const OnProgress& on_progress = {});

 private:
  std::filesystem::path mirror_dir_;
  fetch::Options fetch_options_;
};

}  // namespace newsmirror::mirror
