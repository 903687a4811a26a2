#include "mirror/site_folders.hpp"

#include "archive/file_name.hpp"

namespace newsmirror::mirror {

SiteFolders::SiteFolders(const std::vector<std::pair<std::string, std::string>>& recorded,
                         const config::Config& config) {
  for (const auto& [site, folder] : recorded) folder_by_site_.emplace(site, folder);
  for (const auto& source : config.sources)
    if (source.folder) folder_by_site_.emplace(source.name, *source.folder);
  std::erase_if(folder_by_site_,
                [](const auto& entry) { return entry.second == archive::site_dir_name(entry.first); });
  for (const auto& [site, folder] : folder_by_site_) site_by_folder_.emplace(folder, site);
  for (const auto& source : config.sources) site_by_folder_.emplace(folder_of(source.name), source.name);
}

std::string SiteFolders::folder_of(std::string_view site) const {
  if (auto found = folder_by_site_.find(site); found != folder_by_site_.end()) return found->second;
  return archive::site_dir_name(site);
}

std::string SiteFolders::site_in(std::string_view folder) const {
  if (auto found = site_by_folder_.find(folder); found != site_by_folder_.end()) return found->second;
  return std::string(folder);
}

}  // namespace newsmirror::mirror
