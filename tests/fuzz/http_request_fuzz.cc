// The request path short of the socket: the Authorization and
// Accept-Encoding header parsers and Router::Handle with a fuzzed method,
// path and Accept-Encoding against a fixed snapshot. Input: method, path,
// Accept-Encoding and Authorization as length-prefixed strings
// (fuzz_bytes.h). Authentication stays off in the router: a bcrypt per
// input would cut the rate ~1000x, and Check() only adds a map lookup and
// crypt_r to the parser fuzzed here.
// (The HTTP server itself is being reworked; this target only uses the
// pure pieces so it can be re-pointed at the new request type.)
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/clock.h"
#include "fuzz_bytes.h"
#include "fuzz_check.h"
#include "gunzip.h"
#include "http/basic_auth.h"
#include "http/fake_app_state.h"
#include "http/gzip.h"
#include "http/router.h"

namespace {

using failwatch::http::Request;
using failwatch::http::Response;

struct Fixture {
  failwatch::FakeClock clock;
  failwatch::http::testing::FakeAppState app{clock};
  Fixture() {
    auto s = std::make_shared<failwatch::Snapshot>();
    s->version = 1;
    auto t = failwatch::http::testing::MakeTarget("dns", "orders", true);
    s->targets.emplace(t.key, t);
    app.SetSnapshot(s);
  }
};

void CheckResponse(const Request& req, const Response& r) {
  FUZZ_CHECK(r.status >= 200 && r.status <= 599);
  bool gzipped = false;
  for (const auto& [name, value] : r.headers) {
    FUZZ_CHECK(name.find_first_of("\r\n:") == std::string::npos);
    FUZZ_CHECK(value.find_first_of("\r\n") == std::string::npos);
    gzipped |= name == "Content-Encoding" && value == "gzip";
  }
  if (gzipped) {
    FUZZ_CHECK(failwatch::http::AcceptsGzip(req.accept_encoding));
    const std::string plain = failwatch::test_support::Gunzip(r.body);
    FUZZ_CHECK(plain.rfind("<inflate failed", 0) != 0 &&
               plain.rfind("<init failed", 0) != 0 &&
               plain != "<trailing bytes>");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  static Fixture* fixture = new Fixture;  // lives for the process
  failwatch::fuzz::FuzzBytes in(data, size);
  Request req;
  req.method = in.String(16);
  req.path = in.String();
  req.accept_encoding = in.String();
  req.authorization = std::string(in.Rest());

  const auto decoded = failwatch::http::Base64Decode(req.authorization);
  if (decoded) FUZZ_CHECK(decoded->size() <= req.authorization.size());
  const auto creds =
      failwatch::http::ParseBasicAuthorization(req.authorization);
  if (creds) FUZZ_CHECK(creds->first.find(':') == std::string::npos);
  (void)failwatch::http::AcceptsGzip(req.accept_encoding);

  failwatch::http::Router router({}, fixture->app, fixture->clock);
  CheckResponse(req, router.Handle(req));
  return 0;
}
