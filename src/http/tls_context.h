// TLS for the HTTP server from the exporter-toolkit tls_server_config, on
// OpenSSL (whose SSL_CTX_set_verify expresses every client_auth_type).
// Certificates, key and client CA are re-read when their files change, so
// a rotated certificate is served without a restart.
#pragma once

#include <sys/types.h>

#include <ctime>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "http/web_config.h"

namespace boost::asio::ssl {
class context;
}

namespace failwatch::http {

// A configured server context; error code "tls" naming the file or key.
Result<std::shared_ptr<boost::asio::ssl::context>> BuildTlsContext(
    const TlsServerConfig& config);

class TlsContextSource {
 public:
  // Builds the first context: an error here fails the start (or reload).
  static Result<std::unique_ptr<TlsContextSource>> Create(
      TlsServerConfig config);

  // The context for a new connection. At most once per second, checks the
  // files' identity (inode, size, mtime) and rebuilds on a change; a
  // failed rebuild is logged and the previous context stays in use.
  std::shared_ptr<boost::asio::ssl::context> Current();

 private:
  struct FileStamp {
    ino_t inode = 0;
    off_t size = 0;
    timespec mtime{};
    bool operator==(const FileStamp& o) const;
  };
  explicit TlsContextSource(TlsServerConfig config)
      : config_(std::move(config)) {}
  std::vector<FileStamp> Stamps() const;

  TlsServerConfig config_;
  std::mutex mu_;
  std::shared_ptr<boost::asio::ssl::context> current_;
  std::vector<FileStamp> stamps_;
  SteadyTime last_check_{};
};

}  // namespace failwatch::http
