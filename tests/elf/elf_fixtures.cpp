#include "tests/elf/elf_fixtures.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/run_process.h"

namespace seccheck::testing {

ScratchDir::ScratchDir(const std::string& tag) {
  std::string pattern = ::testing::TempDir() + "/seccheck_" + tag + "_XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp " << pattern << ": " << strerror(errno);
  path_ = pattern;
}

ScratchDir::~ScratchDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void write_bytes(const std::string& path, const std::string& bytes, bool executable) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  if (executable) chmod(path.c_str(), 0755);
}

void patch_u16(std::string& bytes, std::size_t offset, std::uint16_t value) {
  for (int i = 0; i < 2; ++i)
    bytes.at(offset + i) = static_cast<char>(value >> (8 * i));
}

void patch_u64(std::string& bytes, std::size_t offset, std::uint64_t value) {
  for (int i = 0; i < 8; ++i)
    bytes.at(offset + i) = static_cast<char>(value >> (8 * i));
}

std::string run_tool(const std::vector<std::string>& argv) {
  ProcessOutput out = run_process(argv);
  if (out.exit_status != 0) {
    std::string command;
    for (const auto& word : argv)
      command += word + " ";
    ADD_FAILURE() << command << "exited " << out.exit_status << ": " << out.err;
  }
  return out.out;
}

std::vector<NmSymbol> nm_symbols(const std::string& path, bool dynamic) {
  std::vector<std::string> argv = {"/usr/bin/nm", "-S", "--defined-only"};
  if (dynamic) argv.push_back("-D");
  argv.push_back(path);
  std::vector<NmSymbol> symbols;
  std::istringstream lines(run_process(argv).out);
  std::string line;
  while (std::getline(lines, line)) {
    // "VALUE SIZE TYPE NAME" (symbols without a size have no SIZE column and are skipped).
    std::istringstream words(line);
    std::string value, size, type, name;
    if (!(words >> value >> size >> type >> name)) continue;
    NmSymbol symbol;
    symbol.name = name.substr(0, name.find('@'));
    symbol.start = std::stoull(value, nullptr, 16);
    symbol.size = std::stoull(size, nullptr, 16);
    symbols.push_back(std::move(symbol));
  }
  return symbols;
}

}  // namespace seccheck::testing
