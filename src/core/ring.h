// A bounded ring of the most recent N entries. Collectors keep history in
// rings so memory stays fixed however long the daemon runs.
#pragma once

#include <cstddef>
#include <vector>

namespace failwatch {

template <typename T>
class Ring {
 public:
  explicit Ring(std::size_t capacity) : capacity_(capacity ? capacity : 1) {
    items_.reserve(capacity_);
  }

  void Push(T item) {
    if (items_.size() < capacity_) {
      items_.push_back(std::move(item));
    } else {
      items_[head_] = std::move(item);
      head_ = (head_ + 1) % capacity_;
    }
  }

  std::size_t size() const { return items_.size(); }
  std::size_t capacity() const { return capacity_; }
  bool empty() const { return items_.empty(); }

  // i = 0 is the oldest entry, size()-1 the newest.
  const T& operator[](std::size_t i) const {
    return items_[(head_ + i) % items_.size()];
  }
  const T& back() const { return (*this)[items_.size() - 1]; }
  const T& front() const { return (*this)[0]; }

  // Oldest to newest.
  std::vector<T> ToVector() const {
    std::vector<T> out;
    out.reserve(items_.size());
    for (std::size_t i = 0; i < items_.size(); ++i) out.push_back((*this)[i]);
    return out;
  }

 private:
  std::size_t capacity_;
  std::size_t head_ = 0;  // index of the oldest entry once full
  std::vector<T> items_;
};

}  // namespace failwatch
