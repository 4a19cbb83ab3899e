#include "http/basic_auth.h"

#include <crypt.h>
#include <gtest/gtest.h>

#include <memory>

#include "http/web_config.h"

namespace failwatch::http {
namespace {

// A bcrypt hash made here, cost 5 to keep the test fast.
std::string BcryptHash(const std::string& password) {
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  if (crypt_gensalt_rn("$2b$", 5, nullptr, 0, salt, sizeof(salt)) == nullptr) {
    return "";
  }
  auto data = std::make_unique<crypt_data>();
  const char* hash = crypt_r(password.c_str(), salt, data.get());
  return hash != nullptr ? hash : "";
}

TEST(Base64Test, DecodesWithAndWithoutPadding) {
  EXPECT_EQ(Base64Decode("YWxpY2U6czNjcmV0"), "alice:s3cret");
  EXPECT_EQ(Base64Decode("YQ=="), "a");
  EXPECT_EQ(Base64Decode("YQ"), "a");
  EXPECT_EQ(Base64Decode(""), "");
  EXPECT_EQ(Base64Decode("Y"), std::nullopt);
  EXPECT_EQ(Base64Decode("YW*j"), std::nullopt);
}

TEST(ParseBasicAuthorizationTest, SplitsAtTheFirstColon) {
  auto creds = ParseBasicAuthorization("Basic YWxpY2U6czNjOnJldA==");
  ASSERT_TRUE(creds.has_value());
  EXPECT_EQ(creds->first, "alice");
  EXPECT_EQ(creds->second, "s3c:ret");
  EXPECT_TRUE(ParseBasicAuthorization("basic YWxpY2U6eA==").has_value());
  EXPECT_FALSE(ParseBasicAuthorization("Bearer YWxpY2U6eA==").has_value());
  EXPECT_FALSE(ParseBasicAuthorization("Basic YWxpY2U=").has_value());  // no :
  EXPECT_FALSE(ParseBasicAuthorization("").has_value());
}

TEST(VerifyBcryptTest, AcceptsOnlyTheRightPassword) {
  std::string hash = BcryptHash("s3cret");
  ASSERT_EQ(hash.substr(0, 7), "$2b$05$");
  EXPECT_TRUE(VerifyBcrypt("s3cret", hash));
  EXPECT_FALSE(VerifyBcrypt("s3cret ", hash));
  EXPECT_FALSE(VerifyBcrypt("", hash));
  EXPECT_FALSE(VerifyBcrypt("s3cret", "not a hash"));
}

TEST(BasicAuthenticatorTest, ChecksUserAndPassword) {
  BasicAuthenticator auth({{"alice", BcryptHash("s3cret")}});
  ASSERT_TRUE(auth.enabled());
  EXPECT_TRUE(auth.Check("Basic YWxpY2U6czNjcmV0"));   // alice:s3cret
  EXPECT_FALSE(auth.Check("Basic YWxpY2U6d3Jvbmc="));  // alice:wrong
  EXPECT_FALSE(auth.Check("Basic Ym9iOnMzY3JldA=="));  // bob:s3cret
  EXPECT_FALSE(auth.Check(""));
}

TEST(BasicAuthenticatorTest, DisabledWithoutUsers) {
  BasicAuthenticator auth({});
  EXPECT_FALSE(auth.enabled());
  EXPECT_TRUE(auth.Check(""));
}

TEST(WebConfigTest, RejectsNonBcryptHashesWithoutEchoingThem) {
  WebConfig config;
  config.basic_auth_users["alice"] = "plaintext-password";
  Status s = ValidateWebConfig(config);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "web_config");
  EXPECT_NE(s.error().message.find("alice"), std::string::npos);
  EXPECT_EQ(s.error().message.find("plaintext-password"), std::string::npos);

  config.basic_auth_users["alice"] = BcryptHash("x");
  EXPECT_TRUE(ValidateWebConfig(config).ok());
  config.basic_auth_users["a:b"] = BcryptHash("x");
  EXPECT_FALSE(ValidateWebConfig(config).ok());
}

TEST(WebConfigTest, TlsNeedsBothFiles) {
  WebConfig config;
  config.cert_file = "/etc/failwatch/cert.pem";
  Status s = ValidateWebConfig(config);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("key_file"), std::string::npos);
}

TEST(WebConfigTest, TlsFailsClearlyWhereCivetwebCannotServeIt) {
  if (TlsAvailable().ok()) GTEST_SKIP() << "TLS works with this civetweb";
  WebConfig config;
  config.cert_file = "/etc/failwatch/cert.pem";
  config.key_file = "/etc/failwatch/key.pem";
  Status s = ValidateWebConfig(config);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "tls_unavailable");
  EXPECT_NE(s.error().message.find("tls_server_config"), std::string::npos);
}

}  // namespace
}  // namespace failwatch::http
