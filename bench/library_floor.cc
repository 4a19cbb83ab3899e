// The RSS floor of failwatch's shared libraries: a program that links the
// same Debian libraries and calls into each once the way the daemon's
// footprint workload does (SCRAM's digest and HMAC, libpq's connect and TLS
// setup, c-ares, yaml-cpp, spdlog, RE2, zlib, a thread; librdkafka loaded
// but idle, as with no Kafka configured),
// then prints its RSS and the resident KiB per mapped file. It is what any
// process built on these libraries pays before its own code and data
// (bench/footprint.sh measures the daemon; README, Benchmarks).
// It measures; it asserts nothing.
//
//   GNUTLS_NO_IMPLICIT_INIT=1 library_floor   (as the unit and image set it)
#include <ares.h>
#include <libpq-fe.h>
#include <librdkafka/rdkafka.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <re2/re2.h>
#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Rss {
  long total_kib = 0;
  long anon_kib = 0;
  std::map<std::string, long> by_file;  // basename -> resident KiB
};

// /proc/self/smaps of this small process is a few hundred KB: read whole.
Rss ReadRss() {
  Rss r;
  std::ifstream in("/proc/self/smaps");
  std::string line;
  std::string name;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string first;
    f >> first;
    if (first.find('-') != std::string::npos && first.back() != ':') {
      std::string perms, offset, dev, inode, path;
      f >> perms >> offset >> dev >> inode >> path;
      name = path.empty() ? "" : path.substr(path.rfind('/') + 1);
    } else if (first == "Rss:") {
      long kib = 0;
      f >> kib;
      r.total_kib += kib;
      if (name.empty() || name[0] == '[') {
        r.anon_kib += kib;
      } else {
        r.by_file[name] += kib;
      }
    }
  }
  return r;
}

void UseEachLibraryOnce() {
  unsigned char out[32];
  const unsigned char salt[] = "salt";
  PKCS5_PBKDF2_HMAC("pw", 2, salt, 4, 4096, EVP_sha256(), 32, out);
  SSL_CTX_free(SSL_CTX_new(TLS_client_method()));
  // Nothing listens on port 1: libpq runs its connect path and fails fast.
  PQfinish(PQconnectdb(
      "host=127.0.0.1 port=1 connect_timeout=1 gssencmode=disable"));
  ares_library_init(ARES_LIB_INIT_ALL);
  // Linked and loaded, not used: bench/footprint.sh's workload has no Kafka.
  spdlog::info("librdkafka {}", rd_kafka_version_str());
  const YAML::Node node = YAML::Load("a: 1");
  spdlog::info("yaml a={}", node["a"].as<int>());
  const RE2 re("a+b");
  (void)RE2::FullMatch("aab", re);
  const std::string text(4096, 'a');
  uLongf len = compressBound(text.size());
  std::vector<Bytef> z(len);
  compress(z.data(), &len, reinterpret_cast<const Bytef*>(text.data()),
           text.size());
  std::thread([] {}).join();
}

}  // namespace

int main() {
  const Rss linked = ReadRss();
  UseEachLibraryOnce();
  const Rss used = ReadRss();
  std::printf("linked only: RSS %.1f MiB\n", linked.total_kib / 1024.0);
  std::printf(
      "after one use of each: RSS %.1f MiB (%.1f MB), anonymous %.1f MiB\n",
      used.total_kib / 1024.0, used.total_kib * 1024 / 1e6,
      used.anon_kib / 1024.0);
  std::vector<std::pair<long, std::string>> files;
  for (const auto& [name, kib] : used.by_file) files.emplace_back(kib, name);
  std::sort(files.rbegin(), files.rend());
  std::printf("| file | resident KiB |\n|---|---|\n");
  for (const auto& [kib, name] : files) {
    if (kib >= 64) std::printf("| %s | %ld |\n", name.c_str(), kib);
  }
  return 0;
}
