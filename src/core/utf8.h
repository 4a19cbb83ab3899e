// UTF-8 checks for names that become label values: the exposition must be
// valid UTF-8 whatever a config or a server hands us.
#pragma once

#include <string>
#include <string_view>

namespace failwatch {

// Well-formed UTF-8 (no overlongs, surrogates or code points > U+10FFFF).
bool IsValidUtf8(std::string_view s);

// Valid UTF-8 without NUL or other C0 control characters (tab excepted):
// what a configured or discovered name may hold.
bool IsPrintableUtf8(std::string_view s);

// Appends `s` with every ill-formed sequence (and NUL) replaced by U+FFFD.
void AppendValidUtf8(std::string& out, std::string_view s);

}  // namespace failwatch
