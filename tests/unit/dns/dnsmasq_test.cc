// DnsCollector against a real dnsmasq on loopback (recipe in
// /work/shared/notes/environment.md): the answer a real server gives, its
// TTL, NXDOMAIN, and an answer change picked up between samples.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "dns/ares_resolver.h"
#include "dns/dns_collector.h"
#include "dns/dns_observation.h"

namespace failwatch {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr const char* kDnsmasq = "/usr/sbin/dnsmasq";

// Binds `type` on 127.0.0.1:port (0: any); the socket, or -1.
int BindLoopback(int type, std::uint16_t port) {
  int fd = socket(AF_INET, type, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (fd >= 0 &&
      bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// A port free for both UDP and TCP: dnsmasq listens on both, and a port
// free for UDP only can be taken for TCP by any connection on the machine
// (the ephemeral range is shared), which made dnsmasq exit with "Address
// already in use" once in CI.
std::uint16_t FreeDnsPort() {
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int udp = BindLoopback(SOCK_DGRAM, 0);
    if (udp < 0) continue;
    sockaddr_in addr{};
    socklen_t len = sizeof(addr);
    getsockname(udp, reinterpret_cast<sockaddr*>(&addr), &len);
    const std::uint16_t port = ntohs(addr.sin_port);
    const int tcp = BindLoopback(SOCK_STREAM, port);
    close(udp);
    if (tcp >= 0) {
      close(tcp);
      return port;
    }
  }
  return 0;
}

class DnsmasqTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access(kDnsmasq, X_OK) != 0) GTEST_SKIP() << "dnsmasq not installed";
    char tmpl[] = "/tmp/failwatch_dnsmasq_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    hostsdir_ = dir_ + "/hosts.d";
    ASSERT_EQ(mkdir(hostsdir_.c_str(), 0755), 0);
    chmod(dir_.c_str(), 0755);  // dnsmasq drops to nobody
    WriteHosts("10.1.0.1 db.lab.test\n10.1.0.3 ro.lab.test\n");
    port_ = FreeDnsPort();
    ASSERT_NE(port_, 0);
    std::vector<std::string> args = {
        kDnsmasq,
        "--keep-in-foreground",
        "--no-resolv",
        "--no-hosts",
        "--hostsdir=" + hostsdir_,
        "--local=/lab.test/",
        "--port=" + std::to_string(port_),
        "--listen-address=127.0.0.1",
        "--bind-interfaces",
        "--local-ttl=2",
        "--log-facility=" + dir_ + "/dnsmasq.log",
        "--pid-file=" + dir_ + "/dnsmasq.pid",
    };
    pid_ = fork();
    ASSERT_GE(pid_, 0);
    if (pid_ == 0) {
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(kDnsmasq, argv.data());
      _exit(127);
    }
    // Ready when it answers.
    auto r = AresResolver::Create(ResolverOptions{{server()}, Millis(300)});
    ASSERT_TRUE(r.ok());
    for (int i = 0; i < 50; ++i) {
      auto got = (*r)->Resolve({"db.lab.test"},
                               SystemClock::Get().Steady() + Millis(100),
                               SystemClock::Get());
      if (got[0].answer.ok()) return;
      int status = 0;
      ASSERT_EQ(waitpid(pid_, &status, WNOHANG), 0) << "dnsmasq exited";
      std::this_thread::sleep_for(milliseconds(50));
    }
    FAIL() << "dnsmasq did not answer on " << server();
  }

  void TearDown() override {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
    if (!dir_.empty()) {
      std::string cmd = "rm -rf '" + dir_ + "'";
      [[maybe_unused]] int rc = std::system(cmd.c_str());
    }
  }

  // Atomic replace: dnsmasq reloads --hostsdir files on its own (inotify).
  void WriteHosts(const std::string& text) {
    const std::string tmp = dir_ + "/hosts.tmp";
    { std::ofstream(tmp) << text; }
    chmod(tmp.c_str(), 0644);
    ASSERT_EQ(rename(tmp.c_str(), (hostsdir_ + "/lab").c_str()), 0);
  }

  std::string server() const { return "127.0.0.1:" + std::to_string(port_); }

  SampleOutput Sample(Collector& c) {
    SampleContext ctx;
    ctx.clock = &SystemClock::Get();
    ctx.deadline = ctx.clock->Steady() + Millis(500);
    ctx.now = ctx.clock->Wall();
    return c.Sample(ctx);
  }

  static const EndpointDnsState* Writer(const SampleOutput& out) {
    auto obs = std::dynamic_pointer_cast<const DnsObservation>(out.observation);
    return obs ? obs->Find("writer") : nullptr;
  }

  std::string dir_;
  std::string hostsdir_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

TEST_F(DnsmasqTest, AnswerTtlAndChange) {
  DnsTargetOptions cfg;
  cfg.name = "orders";
  cfg.endpoint = HostPort{"db.lab.test", 5432};
  cfg.reader_endpoint = HostPort{"ro.lab.test", 5432};
  cfg.dns_servers = {server()};
  cfg.schedule.timeout = Millis(500);
  auto c = MakeDnsCollector(cfg);

  auto first = Sample(*c);
  ASSERT_FALSE(first.error.has_value()) << first.error->ToString();
  const auto* w = Writer(first);
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->addresses, (AddressSet{"10.1.0.1"}));
  EXPECT_EQ(w->ttl_seconds, 2u);  // --local-ttl

  WriteHosts("10.1.0.2 db.lab.test\n10.1.0.3 ro.lab.test\n");
  const EndpointDnsState* now = nullptr;
  SampleOutput out;
  for (int i = 0; i < 60; ++i) {
    out = Sample(*c);
    now = Writer(out);
    if (now && now->last_ok && now->addresses == AddressSet{"10.1.0.2"}) break;
    std::this_thread::sleep_for(milliseconds(50));
  }
  ASSERT_NE(now, nullptr);
  EXPECT_EQ(now->addresses, (AddressSet{"10.1.0.2"}));
  EXPECT_EQ(now->changes_total, 1u);
  EXPECT_NE(now->last_change, WallTime{});
}

TEST_F(DnsmasqTest, UnknownNameIsENOTFOUND) {
  auto r = AresResolver::Create(ResolverOptions{{server()}, Millis(500)});
  ASSERT_TRUE(r.ok());
  auto got = (*r)->Resolve({"missing.lab.test"},
                           SystemClock::Get().Steady() + Millis(500),
                           SystemClock::Get());
  ASSERT_FALSE(got[0].answer.ok());
  EXPECT_EQ(got[0].answer.error().code, "ENOTFOUND");
}

}  // namespace
}  // namespace failwatch
