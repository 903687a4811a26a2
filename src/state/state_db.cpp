#include "state/state_db.hpp"

namespace newsmirror::state {

namespace {
core::Error todo() { return core::Error(core::ErrorKind::internal, "StateDb: not yet implemented"); }
}  // namespace

struct StateDb::Impl {};

StateDb::StateDb(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
StateDb::StateDb(StateDb&&) noexcept = default;
StateDb& StateDb::operator=(StateDb&&) noexcept = default;
StateDb::~StateDb() = default;

core::Result<StateDb> StateDb::open(const std::filesystem::path&) { return todo(); }
core::Result<StateDb> StateDb::open_file(const std::filesystem::path&) { return todo(); }
std::optional<ArchivedArticle> StateDb::find(std::string_view) { return std::nullopt; }
core::Status StateDb::record_articles(const std::vector<ArchivedArticle>&) { return todo(); }
std::vector<ArchivedArticle> StateDb::newest(std::string_view, std::size_t) { return {}; }
std::vector<SiteCount> StateDb::site_summaries() { return {}; }
core::Status StateDb::mark_changed(std::string_view, std::string_view, core::TimePoint) { return todo(); }
core::Result<std::uint64_t> StateDb::reserve_sequence(std::size_t) { return todo(); }
std::uint64_t StateDb::last_sequence() { return 0; }
core::Status StateDb::ensure_sequence_at_least(std::uint64_t) { return todo(); }
Validators StateDb::get_validators(std::string_view) { return {}; }
core::Status StateDb::set_validators(std::string_view, const std::optional<std::string>&,
                                     const std::optional<std::string>&) { return todo(); }
core::Status StateDb::record_attempt(std::string_view, core::TimePoint, const core::Status&,
                                     std::size_t) { return todo(); }
std::vector<SourceHealth> StateDb::health() { return {}; }
core::Status StateDb::transaction(const std::function<core::Status()>&) { return todo(); }
int StateDb::schema_version() { return 0; }
std::string StateDb::journal_mode() { return {}; }

}  // namespace newsmirror::state
