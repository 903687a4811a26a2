#include "config/config.hpp"

namespace newsmirror::config {

Config default_config() { return {}; }
std::filesystem::path config_path(const std::filesystem::path& mirror_dir) {
  return mirror_dir / kConfigFileName;
}
core::Result<Config> load_config(const std::filesystem::path&) {
  return core::Error(core::ErrorKind::internal, "load_config: not yet implemented");
}
core::Result<Config> parse_config(std::string_view, std::string_view) {
  return core::Error(core::ErrorKind::internal, "parse_config: not yet implemented");
}
std::string render_config(const Config&) { return {}; }
core::Status save_config(const std::filesystem::path&, const Config&) {
  return core::Error(core::ErrorKind::internal, "save_config: not yet implemented");
}
std::optional<std::chrono::seconds> parse_duration(std::string_view) { return std::nullopt; }
std::string format_duration(std::chrono::seconds) { return {}; }
const Source* find_source(const Config&, std::string_view) { return nullptr; }
std::chrono::seconds effective_interval(const Config& c, const Source& s) {
  return s.interval.value_or(c.interval);
}
std::optional<std::string> effective_proxy(const Config& c, const Source& s) {
  return s.proxy ? s.proxy : c.proxy;
}
std::optional<std::string> effective_user_agent(const Config& c, const Source& s) {
  return s.user_agent ? s.user_agent : c.user_agent;
}
std::string effective_timezone(const Config& c, const Source& s) {
  return s.timezone.value_or(c.timezone);
}

}  // namespace newsmirror::config
