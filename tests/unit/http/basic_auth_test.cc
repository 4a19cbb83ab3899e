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

TEST(WebConfigTest, TlsNeedsCertAndKey) {
  WebConfig config;
  config.tls.cert_file = "/etc/failwatch/cert.pem";
  Status s = ValidateWebConfig(config);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("key_file"), std::string::npos);
  config.tls.key = "inline";
  EXPECT_TRUE(ValidateWebConfig(config).ok());
  config.tls.key_file = "/etc/failwatch/key.pem";
  EXPECT_FALSE(ValidateWebConfig(config).ok());  // key and key_file
}

TEST(WebConfigTest, VerifyingClientAuthNeedsAClientCa) {
  WebConfig config;
  config.tls.cert_file = "c.pem";
  config.tls.key_file = "k.pem";
  for (ClientAuth mode : {ClientAuth::kVerifyClientCertIfGiven,
                          ClientAuth::kRequireAndVerifyClientCert}) {
    config.tls.client_auth = mode;
    Status s = ValidateWebConfig(config);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("client_ca_file"), std::string::npos);
  }
  config.tls.client_ca_file = "ca.pem";
  EXPECT_TRUE(ValidateWebConfig(config).ok());
}

TEST(WebConfigTest, NamesAndVersionsFollowTheExporterToolkit) {
  for (const char* name : {"NoClientCert", "RequestClientCert",
                           "RequireAnyClientCert", "VerifyClientCertIfGiven",
                           "RequireAndVerifyClientCert"}) {
    auto mode = ClientAuthFromName(name);
    ASSERT_TRUE(mode.has_value()) << name;
    EXPECT_EQ(ClientAuthName(*mode), name);
  }
  EXPECT_FALSE(ClientAuthFromName("requireandverifyclientcert"));
  EXPECT_EQ(TlsVersionFromName("TLS13"), 0x0304);
  EXPECT_FALSE(TlsVersionFromName("SSL3"));
  EXPECT_EQ(OpenSslCipherName("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
            "ECDHE-RSA-AES128-GCM-SHA256");
  EXPECT_FALSE(OpenSslCipherName("TLS_AES_128_GCM_SHA256"));  // 1.3: fixed
}

TEST(BcryptCostTest, OutsideFourToSixteenIsRefused) {
  std::string hash = BcryptHash("x");  // cost 05
  EXPECT_EQ(CheckBcryptHash(hash), std::nullopt);
  for (const char* cost : {"03", "17", "31", "00"}) {
    std::string h = hash;
    h.replace(4, 2, cost);
    auto why = CheckBcryptHash(h);
    ASSERT_TRUE(why.has_value()) << cost;
    EXPECT_NE(why->find("allowed 4-16"), std::string::npos);
    EXPECT_EQ(why->find(h), std::string::npos);  // never echoed
  }
  EXPECT_TRUE(CheckBcryptHash("$2b$10$short").has_value());
}

TEST(BasicAuthenticatorTest, NulInThePasswordNeverMatchesItsPrefix) {
  BasicAuthenticator auth({{"alice", BcryptHash("pw")}});
  // "alice:pw\0x" in base64.
  EXPECT_FALSE(auth.Check("Basic YWxpY2U6cHcAeA=="));
  EXPECT_EQ(auth.Precheck("Basic YWxpY2U6cHcAeA=="), AuthDecision::kDenied);
  EXPECT_FALSE(VerifyBcrypt(std::string_view("pw\0x", 4), BcryptHash("pw")));
  EXPECT_TRUE(auth.Check("Basic YWxpY2U6cHc="));  // alice:pw
}

TEST(BasicAuthenticatorTest, AVerifiedCredentialIsCached) {
  BasicAuthenticator auth({{"alice", BcryptHash("s3cret")}});
  EXPECT_EQ(auth.Precheck("Basic YWxpY2U6czNjcmV0"), AuthDecision::kNeedsBcrypt);
  EXPECT_TRUE(auth.Verify("Basic YWxpY2U6czNjcmV0"));
  EXPECT_EQ(auth.Precheck("Basic YWxpY2U6czNjcmV0"), AuthDecision::kAllowed);
  // A wrong password is never cached as good, an unknown user never passes.
  EXPECT_FALSE(auth.Verify("Basic YWxpY2U6d3Jvbmc="));
  EXPECT_EQ(auth.Precheck("Basic YWxpY2U6d3Jvbmc="), AuthDecision::kNeedsBcrypt);
  EXPECT_EQ(auth.Precheck("Basic Ym9iOnMzY3JldA=="), AuthDecision::kNeedsBcrypt);
  EXPECT_FALSE(auth.Verify("Basic Ym9iOnMzY3JldA=="));
  EXPECT_EQ(auth.Precheck("Bearer x"), AuthDecision::kDenied);
  EXPECT_EQ(auth.Precheck(""), AuthDecision::kDenied);
}

}  // namespace
}  // namespace failwatch::http
