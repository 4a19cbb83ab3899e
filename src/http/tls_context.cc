#include "http/tls_context.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <boost/asio/ssl/context.hpp>

#include "core/bounded_file.h"

namespace failwatch::http {
namespace {

Error TlsError(const std::string& what) {
  std::string detail;
  if (unsigned long e = ERR_get_error(); e != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    detail = std::string(": ") + buf;
  }
  ERR_clear_error();
  return MakeError(ErrorKind::kInvalid, "tls",
                   "tls_server_config: " + what + detail);
}

Result<std::string> Pem(const std::string& file, const std::string& inline_pem,
                        const char* key) {
  if (file.empty()) return inline_pem;
  Result<std::string> text = ReadBoundedFile(file, kMaxSecretFileBytes);
  if (!text.ok()) {
    return MakeError(ErrorKind::kInvalid, "tls",
                     std::string("tls_server_config: ") + key + " " + file +
                         ": " + text.error().message);
  }
  return text;
}

using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;

Bio MemBio(const std::string& pem) {
  return Bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
             &BIO_free);
}

Status UseCertificateChain(SSL_CTX* ctx, const std::string& pem) {
  Bio bio = MemBio(pem);
  X509* leaf = PEM_read_bio_X509_AUX(bio.get(), nullptr, nullptr, nullptr);
  if (leaf == nullptr) return TlsError("cert: no PEM certificate");
  int ok = SSL_CTX_use_certificate(ctx, leaf);
  X509_free(leaf);
  if (ok != 1) return TlsError("cert: not usable");
  SSL_CTX_clear_chain_certs(ctx);
  while (X509* ca = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    if (SSL_CTX_add0_chain_cert(ctx, ca) != 1) {
      X509_free(ca);
      return TlsError("cert: bad chain certificate");
    }
  }
  ERR_clear_error();  // the end of the PEM stream
  return Status::Ok();
}

Status UsePrivateKey(SSL_CTX* ctx, const std::string& pem) {
  Bio bio = MemBio(pem);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (key == nullptr) return TlsError("key: no PEM private key");
  int ok = SSL_CTX_use_PrivateKey(ctx, key);
  EVP_PKEY_free(key);
  if (ok != 1 || SSL_CTX_check_private_key(ctx) != 1) {
    return TlsError("key: does not match the certificate");
  }
  return Status::Ok();
}

Status UseClientCa(SSL_CTX* ctx, const std::string& pem) {
  Bio bio = MemBio(pem);
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  int count = 0;
  while (X509* ca = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    X509_STORE_add_cert(store, ca);
    SSL_CTX_add_client_CA(ctx, ca);  // the names sent in CertificateRequest
    X509_free(ca);
    ++count;
  }
  ERR_clear_error();
  if (count == 0) return TlsError("client_ca_file: no PEM certificate");
  return Status::Ok();
}

// Go's RequestClientCert / RequireAnyClientCert: take whatever is sent.
int AcceptAnyCertificate(int /*preverify_ok*/, X509_STORE_CTX* /*ctx*/) {
  return 1;
}

void SetClientAuth(SSL_CTX* ctx, ClientAuth mode) {
  switch (mode) {
    case ClientAuth::kNoClientCert:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
      break;
    case ClientAuth::kRequestClientCert:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, &AcceptAnyCertificate);
      break;
    case ClientAuth::kRequireAnyClientCert:
      SSL_CTX_set_verify(ctx,
                         SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                         &AcceptAnyCertificate);
      break;
    case ClientAuth::kVerifyClientCertIfGiven:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
      break;
    case ClientAuth::kRequireAndVerifyClientCert:
      SSL_CTX_set_verify(ctx,
                         SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                         nullptr);
      break;
  }
}

Status SetProtocolAndCiphers(SSL_CTX* ctx, const TlsServerConfig& config) {
  if (SSL_CTX_set_min_proto_version(ctx, config.min_version) != 1) {
    return TlsError("min_version not supported");
  }
  if (SSL_CTX_set_max_proto_version(ctx, config.max_version) != 1) {
    return TlsError("max_version not supported");
  }
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  if (config.prefer_server_cipher_suites) {
    SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
  }
  if (!config.cipher_suites.empty()) {
    std::string list;
    for (const std::string& go : config.cipher_suites) {
      if (!list.empty()) list += ":";
      list += OpenSslCipherName(go).value_or(go);
    }
    if (SSL_CTX_set_cipher_list(ctx, list.c_str()) != 1) {
      return TlsError("cipher_suites: none usable");
    }
  }
  if (!config.curve_preferences.empty()) {
    std::string list;
    for (const std::string& c : config.curve_preferences) {
      if (!list.empty()) list += ":";
      list += c == "X25519" ? "X25519" : "P-" + c.substr(6);  // CurveP256
    }
    if (SSL_CTX_set1_groups_list(ctx, list.c_str()) != 1) {
      return TlsError("curve_preferences: not supported");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::shared_ptr<boost::asio::ssl::context>> BuildTlsContext(
    const TlsServerConfig& config) {
  SSL_CTX* raw = SSL_CTX_new(TLS_server_method());
  if (raw == nullptr) return TlsError("cannot create an OpenSSL context");
  // The asio context owns (and frees) the SSL_CTX from here on.
  auto ctx = std::make_shared<boost::asio::ssl::context>(raw);
  Result<std::string> cert = Pem(config.cert_file, config.cert, "cert_file");
  if (!cert.ok()) return cert.error();
  Result<std::string> key = Pem(config.key_file, config.key, "key_file");
  if (!key.ok()) return key.error();
  if (Status s = UseCertificateChain(raw, *cert); !s.ok()) return s.error();
  if (Status s = UsePrivateKey(raw, *key); !s.ok()) return s.error();
  if (!config.client_ca_file.empty()) {
    Result<std::string> ca = Pem(config.client_ca_file, "", "client_ca_file");
    if (!ca.ok()) return ca.error();
    if (Status s = UseClientCa(raw, *ca); !s.ok()) return s.error();
  }
  SetClientAuth(raw, config.client_auth);
  if (Status s = SetProtocolAndCiphers(raw, config); !s.ok()) return s.error();
  return ctx;
}

bool TlsContextSource::FileStamp::operator==(const FileStamp& o) const {
  return inode == o.inode && size == o.size &&
         mtime.tv_sec == o.mtime.tv_sec && mtime.tv_nsec == o.mtime.tv_nsec;
}

std::vector<TlsContextSource::FileStamp> TlsContextSource::Stamps() const {
  std::vector<FileStamp> out;
  for (const std::string* f :
       {&config_.cert_file, &config_.key_file, &config_.client_ca_file}) {
    FileStamp s;
    struct stat st {};
    if (!f->empty() && stat(f->c_str(), &st) == 0) {
      s.inode = st.st_ino;
      s.size = st.st_size;
      s.mtime = st.st_mtim;
    }
    out.push_back(s);
  }
  return out;
}

Result<std::unique_ptr<TlsContextSource>> TlsContextSource::Create(
    TlsServerConfig config) {
  std::unique_ptr<TlsContextSource> source(
      new TlsContextSource(std::move(config)));
  source->stamps_ = source->Stamps();
  auto ctx = BuildTlsContext(source->config_);
  if (!ctx.ok()) return ctx.error();
  source->current_ = *ctx;
  source->last_check_ = SystemClock::Get().Steady();
  return source;
}

std::shared_ptr<boost::asio::ssl::context> TlsContextSource::Current() {
  std::lock_guard<std::mutex> lock(mu_);
  SteadyTime now = SystemClock::Get().Steady();
  if (now - last_check_ < std::chrono::seconds(1)) return current_;
  last_check_ = now;
  std::vector<FileStamp> stamps = Stamps();
  if (stamps == stamps_) return current_;
  // A half-written rotation fails here and is retried once the files
  // change again (the stamps are kept as seen).
  stamps_ = stamps;
  auto next = BuildTlsContext(config_);
  if (!next.ok()) {
    spdlog::warn(
        "tls files changed but cannot be loaded, serving the previous "
        "certificate error=\"{}\"",
        next.error().message);
    return current_;
  }
  current_ = *next;
  spdlog::info("tls certificate reloaded cert_file={}",
               config_.cert_file);
  return current_;
}

}  // namespace failwatch::http
