// zlib's own gunzip for tests: it checks the trailer's CRC-32 and ISIZE, and
// anything after the first member is reported, so a spliced gzip body that
// is not exactly one valid member fails the comparison.
#pragma once

#include <zlib.h>

#include <string>

namespace failwatch::test_support {

inline std::string Gunzip(const std::string& in) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) return "<init failed>";
  std::string out;
  char buf[4096];
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof(buf);
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof(buf) - zs.avail_out);
  }
  const bool whole = zs.avail_in == 0;
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) return "<inflate failed: " + std::to_string(rc) + ">";
  return whole ? out : "<trailing bytes>";
}

}  // namespace failwatch::test_support
