// A tiny in-process UDP DNS server for tests (like blackbox_exporter's
// prober/dns_test.go): binds 127.0.0.1 on an ephemeral port, answers A and
// AAAA questions from a table, and can answer NXDOMAIN, SERVFAIL or nothing.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdint>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace failwatch::testing {

class FakeDnsServer {
 public:
  enum class Mode { kAnswer, kNxDomain, kServFail, kRefused, kDrop };

  struct Entry {
    std::vector<std::string> v4 = {};
    std::vector<std::string> v6 = {};
    std::uint32_t ttl = 30;
    std::int64_t ttl_v6 = -1;  // -1 = same as ttl
    Mode mode = Mode::kAnswer;
  };

  FakeDnsServer() {
    fd_ = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd_ < 0) throw std::runtime_error("socket");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = 0;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      throw std::runtime_error("bind");
    }
    socklen_t len = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    if (pipe(stop_pipe_) != 0) throw std::runtime_error("pipe");
    thread_ = std::thread([this] { Loop(); });
  }

  ~FakeDnsServer() {
    char c = 'x';
    [[maybe_unused]] ssize_t w = write(stop_pipe_[1], &c, 1);
    thread_.join();
    close(fd_);
    close(stop_pipe_[0]);
    close(stop_pipe_[1]);
  }

  FakeDnsServer(const FakeDnsServer&) = delete;
  FakeDnsServer& operator=(const FakeDnsServer&) = delete;

  std::uint16_t port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

  void Set(const std::string& name, Entry e) {
    std::lock_guard<std::mutex> lock(mu_);
    table_[Lower(name)] = std::move(e);
  }
  // Questions received, all names and types.
  int queries() const { return queries_.load(); }

 private:
  static std::string Lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    return s;
  }

  static void Put16(std::vector<unsigned char>& b, std::uint16_t v) {
    b.push_back(static_cast<unsigned char>(v >> 8));
    b.push_back(static_cast<unsigned char>(v & 0xff));
  }
  static void Put32(std::vector<unsigned char>& b, std::uint32_t v) {
    Put16(b, static_cast<std::uint16_t>(v >> 16));
    Put16(b, static_cast<std::uint16_t>(v & 0xffff));
  }

  void Loop() {
    for (;;) {
      pollfd fds[2] = {{fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
      if (poll(fds, 2, -1) < 0) continue;
      if (fds[1].revents) return;
      if (!(fds[0].revents & POLLIN)) continue;
      unsigned char buf[1500];
      sockaddr_storage peer{};
      socklen_t peer_len = sizeof(peer);
      ssize_t n = recvfrom(fd_, buf, sizeof(buf), 0,
                           reinterpret_cast<sockaddr*>(&peer), &peer_len);
      if (n < 12) continue;
      queries_++;
      std::vector<unsigned char> reply;
      if (!Answer(buf, static_cast<std::size_t>(n), reply)) continue;
      sendto(fd_, reply.data(), reply.size(), 0,
             reinterpret_cast<sockaddr*>(&peer), peer_len);
    }
  }

  // Builds the reply; false = send nothing.
  bool Answer(const unsigned char* q, std::size_t n,
              std::vector<unsigned char>& out) {
    if (((q[4] << 8) | q[5]) != 1) return false;  // QDCOUNT must be 1
    std::size_t pos = 12;
    std::string name;
    while (pos < n && q[pos] != 0) {
      std::size_t len = q[pos];
      if (len > 63 || pos + 1 + len > n) return false;
      if (!name.empty()) name += '.';
      name.append(reinterpret_cast<const char*>(q + pos + 1), len);
      pos += 1 + len;
    }
    if (pos + 5 > n) return false;
    pos++;  // the root label
    const std::uint16_t qtype =
        static_cast<std::uint16_t>((q[pos] << 8) | q[pos + 1]);
    const std::size_t question_end = pos + 4;

    Entry e;
    bool known = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = table_.find(Lower(name));
      if (it != table_.end()) {
        e = it->second;
        known = true;
      }
    }
    if (!known) e.mode = Mode::kNxDomain;
    if (e.mode == Mode::kDrop) return false;

    int rcode = 0;
    if (e.mode == Mode::kNxDomain) rcode = 3;
    if (e.mode == Mode::kServFail) rcode = 2;
    if (e.mode == Mode::kRefused) rcode = 5;

    std::vector<std::vector<unsigned char>> rdatas;
    std::uint32_t ttl = e.ttl;
    if (rcode == 0 && qtype == 1) {
      for (const auto& a : e.v4) {
        in_addr v{};
        inet_pton(AF_INET, a.c_str(), &v);
        auto* p = reinterpret_cast<unsigned char*>(&v);
        rdatas.emplace_back(p, p + 4);
      }
    } else if (rcode == 0 && qtype == 28) {
      for (const auto& a : e.v6) {
        in6_addr v{};
        inet_pton(AF_INET6, a.c_str(), &v);
        auto* p = reinterpret_cast<unsigned char*>(&v);
        rdatas.emplace_back(p, p + 16);
      }
      if (e.ttl_v6 >= 0) ttl = static_cast<std::uint32_t>(e.ttl_v6);
    }

    out.assign(q, q + 2);                                             // ID
    out.push_back(static_cast<unsigned char>(0x84 | (q[2] & 0x79)));  // QR AA
    out.push_back(static_cast<unsigned char>(0x80 | rcode));          // RA
    Put16(out, 1);
    Put16(out, static_cast<std::uint16_t>(rdatas.size()));
    Put16(out, 0);
    Put16(out, 0);
    out.insert(out.end(), q + 12, q + question_end);
    for (const auto& rd : rdatas) {
      Put16(out, 0xC00C);  // pointer to the question's name
      Put16(out, qtype);
      Put16(out, 1);  // IN
      Put32(out, ttl);
      Put16(out, static_cast<std::uint16_t>(rd.size()));
      out.insert(out.end(), rd.begin(), rd.end());
    }
    return true;
  }

  int fd_ = -1;
  int stop_pipe_[2] = {-1, -1};
  std::uint16_t port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::map<std::string, Entry> table_;
  std::atomic<int> queries_{0};
};

}  // namespace failwatch::testing
