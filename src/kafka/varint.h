// LEB128 varints (7 bits a byte, low groups first) and zigzag, for the
// per-partition histories' byte streams: at 100 000 partitions a history
// point is paid for 100 000 times, and the deltas between neighbouring
// points (10 000 ms, a few hundred messages) fit in 2-3 bytes where a fixed
// field takes 4 or 8. The streams are written and read only by failwatch
// itself (never parsed from the outside); Get still stops at `end`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace failwatch::varint {

// Bytes Put writes for v: 1 to 10.
inline std::size_t Size(std::uint64_t v) {
  std::size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

inline void Put(std::vector<std::uint8_t>& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<std::uint8_t>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<std::uint8_t>(v));
}

// Writes v at out (room for 10 bytes); returns the bytes written.
inline std::size_t Put(std::uint8_t* out, std::uint64_t v) {
  std::size_t n = 0;
  while (v >= 0x80) {
    out[n++] = static_cast<std::uint8_t>(v | 0x80);
    v >>= 7;
  }
  out[n++] = static_cast<std::uint8_t>(v);
  return n;
}

// Reads one varint at data[pos], advancing pos; a truncated stream yields
// what was read (it cannot happen with the streams Put wrote).
inline std::uint64_t Get(const std::uint8_t* data, std::size_t end,
                         std::size_t& pos) {
  std::uint64_t v = 0;
  for (int shift = 0; pos < end && shift < 64; shift += 7) {
    const std::uint8_t b = data[pos++];
    v |= std::uint64_t{b & 0x7Fu} << shift;
    if ((b & 0x80) == 0) break;
  }
  return v;
}

// Signed values (a delta that can be negative) as small unsigned ones:
// 0, -1, 1, -2, ... -> 0, 1, 2, 3, ...
inline std::uint64_t ZigZag(std::int64_t v) {
  return (static_cast<std::uint64_t>(v) << 1) ^
         static_cast<std::uint64_t>(v >> 63);
}

inline std::int64_t UnZigZag(std::uint64_t v) {
  return static_cast<std::int64_t>((v >> 1) ^ (~(v & 1) + 1));
}

// a - b and a + d modulo 2^64: deltas between any two int64 values
// (hostile offsets included) round-trip exactly, with no signed overflow.
inline std::int64_t WrappingSub(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) -
                                   static_cast<std::uint64_t>(b));
}

inline std::int64_t WrappingAdd(std::int64_t a, std::int64_t d) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) +
                                   static_cast<std::uint64_t>(d));
}

}  // namespace failwatch::varint
