// Text tables for the row-parser fuzzers, readable as seed files: one row
// per line, cells separated by a tab, a cell of exactly "\N" is SQL NULL
// (psql's COPY notation). Cells cannot hold a tab or a newline this way;
// the fuzzers also feed the whole input to the scalar parsers, which covers
// those bytes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace failwatch::fuzz {

using TextRow = std::vector<std::optional<std::string>>;

inline std::vector<TextRow> ParseTextTable(std::string_view text) {
  std::vector<TextRow> rows;
  while (!text.empty()) {
    const std::size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view{}
                                         : text.substr(eol + 1);
    TextRow row;
    while (true) {
      const std::size_t tab = line.find('\t');
      const std::string_view cell = line.substr(0, tab);
      if (cell == "\\N") {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(std::string(cell));
      }
      if (tab == std::string_view::npos) break;
      line = line.substr(tab + 1);
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace failwatch::fuzz
