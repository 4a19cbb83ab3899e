// Splits a fuzzer input into typed pieces. Runs out gracefully: once the
// bytes are used up every call returns zeros/empties, so any input is a
// valid (if short) test case. A small stand-in for FuzzedDataProvider that
// also compiles with gcc for the replay build.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace failwatch::fuzz {

class FuzzBytes {
 public:
  FuzzBytes(const std::uint8_t* data, std::size_t size)
      : data_(reinterpret_cast<const char*>(data)), size_(size) {}

  bool empty() const { return pos_ >= size_; }

  std::uint8_t Byte() {
    return empty() ? 0 : static_cast<std::uint8_t>(data_[pos_++]);
  }

  template <typename T>
  T Raw() {
    T v{};
    const std::size_t n = std::min(sizeof(T), size_ - std::min(pos_, size_));
    std::memcpy(&v, data_ + pos_, n);
    pos_ += n;
    return v;
  }

  // A string of up to `max_len` bytes, its length taken from one byte.
  std::string String(std::size_t max_len = 255) {
    const std::size_t want = Byte() % (max_len + 1);
    const std::size_t n = std::min(want, size_ - std::min(pos_, size_));
    std::string s(data_ + pos_, n);
    pos_ += n;
    return s;
  }

  std::string_view Rest() {
    const std::size_t start = std::min(pos_, size_);
    pos_ = size_;
    return {data_ + start, size_ - start};
  }

 private:
  const char* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

}  // namespace failwatch::fuzz
