// Feeds over HTTPS, against real TLS servers on loopback with a test CA of
// their own (support/tls_server.py): the mirror trusts that CA through
// `ca_file`, and each certificate failure is a clear error of its own
// source, not retried, while the healthy source is archived.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>

#include "mirror/cycle.hpp"
#include "mirror/fixtures.hpp"
#include "support/background_command.hpp"
#include "support/paths.hpp"

namespace newsmirror::mirror {
namespace {

using test::mirror_fixtures::find_report;
using test::mirror_fixtures::MirrorFolder;

class Tls : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<test::BackgroundCommand>(
        "python3", std::vector<std::string>{(test::source_dir() / "tests/support/tls_server.py").string(),
                                            (certs_.path() / "certs").string()},
        certs_.path() / "server.err");
    auto line = server_->first_line();
    ports_ = nlohmann::json::parse(line, nullptr, false);
    if (!ports_.is_object()) FAIL() << "tls_server.py did not start: " << test::read_file(certs_.path() / "server.err");
  }
  std::string url(const char* shape) { return "https://127.0.0.1:" + std::to_string(ports_[shape].get<int>()) + "/feed.xml"; }

  test::TempDir certs_;
  std::unique_ptr<test::BackgroundCommand> server_;
  nlohmann::json ports_;
};

TEST_F(Tls, ATrustedFeedIsArchivedAndEachBadCertificateIsItsSourcesOwnClearError) {
  MirrorFolder mirror;
  std::filesystem::copy_file(ports_["ca"].get<std::string>(), mirror.dir() / "test-ca.pem");
  mirror.config().ca_file = "test-ca.pem";  // relative to the mirror folder
  mirror.add_source("valid", {url("valid")});
  mirror.add_source("expired", {url("expired")});
  mirror.add_source("wrong_name", {url("wrong_name")});
  mirror.add_source("self_signed", {url("self_signed")});
  auto report = mirror.cycle();
  const auto* valid = find_report(report, "valid");
  ASSERT_TRUE(valid);
  EXPECT_FALSE(valid->failed()) << valid->error->message;
  EXPECT_EQ(valid->new_articles, 1u);
  const struct {
    const char* source;
    const char* says;
  } failures[] = {{"expired", "expired"}, {"wrong_name", "127.0.0.1"}, {"self_signed", "self-signed"}};
  for (const auto& failure : failures) {
    const auto* source = find_report(report, failure.source);
    ASSERT_TRUE(source && source->failed()) << failure.source;
    EXPECT_EQ(source->error->kind, core::ErrorKind::connection);
    const auto& message = source->error->message;
    EXPECT_NE(message.find("certificate"), std::string::npos) << message;
    EXPECT_NE(message.find(failure.says), std::string::npos) << message;
    EXPECT_NE(message.find(url(failure.source)), std::string::npos) << message;
    EXPECT_EQ(message.find("attempts"), std::string::npos) << "not retried: " << message;
  }
}

TEST_F(Tls, WithoutTheTestCaEvenTheValidCertificateIsRefused) {
  MirrorFolder mirror;
  mirror.add_source("valid", {url("valid")});
  auto report = mirror.cycle();
  const auto* valid = find_report(report, "valid");
  ASSERT_TRUE(valid && valid->failed());
  EXPECT_NE(valid->error->message.find("certificate"), std::string::npos) << valid->error->message;
}

}  // namespace
}  // namespace newsmirror::mirror
