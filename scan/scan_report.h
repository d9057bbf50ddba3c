// From scans to check reports: what `seccheck scan` and `check --scan` need below the CLI.
// Where to scan (a root filesystem, an OCI bundle's root, the paths and folders inside it), and
// the reachable calls some profile blocks (or may block) turned into analysis::Finding with
// source kReachable, their sites and their verdicts (by name where a site passes no constant),
// in a CheckReport every renderer already writes.
#pragma once

#include <string>
#include <vector>

#include "analysis/context.h"
#include "analysis/findings.h"
#include "analysis/run_record.h"
#include "analysis/selection.h"
#include "core/result.h"
#include "scan/scanner.h"

namespace seccheck::scan {

// An OCI bundle's root filesystem: config.json's root.path, relative to the bundle folder unless
// absolute. Errors name the file and the member.
Result<std::string> bundle_root(const std::string& bundle_dir);
// The executable an OCI bundle runs: process.args[0], looked up in the PATH of process.env (or
// the usual default) inside `root` when it has no slash.
Result<std::string> bundle_executable(const std::string& bundle_dir, const std::string& root);

// The ELF files to scan for `paths` (in `root`, "" for this host): a file as named; a folder
// walked (symlinks not followed) for regular files that start with the ELF magic, sorted.
// Errors: a path that does not exist.
Result<std::vector<std::string>> expand_scan_paths(const std::vector<std::string>& paths,
                                                   const std::string& root);

struct ScanRun {
  std::vector<ScanResult> results;  // one per executable scanned, in order
  analysis::ScanSummary summary;    // what was read; errors for files that could not be
  std::vector<std::string> notes;   // libraries not found, sites without a constant number
};

// Scans each of `executables` (in `root`), each with the libraries the loader would load.
// A file that cannot be scanned becomes one line in summary.errors.
ScanRun scan_executables(const std::vector<std::string>& executables, const std::string& root);

// The reachable calls of `run` that some selected profile blocks or may block, as findings with
// source kReachable, sorted by syscall and key. With `exercised` (a run's record), calls the run
// made (same syscall and ABI, and the same value for every argument a site fixes) are left out.
std::vector<analysis::Finding> reachable_findings(const ScanRun& run,
                                                  const analysis::ProfileSelection& profiles,
                                                  const analysis::Context& context,
                                                  const analysis::RunRecord* exercised = nullptr);

// The report of `seccheck scan`: no run (report.input kScan), command = the scanned paths, every
// reachable finding gating.
analysis::CheckReport make_scan_report(const ScanRun& run, const std::vector<std::string>& paths,
                                       const analysis::ProfileSelection& profiles,
                                       const analysis::Context& context);

// `check --scan`: appends the reachable, not exercised findings of `run` to a check report.
void add_reachable(analysis::CheckReport& report, const ScanRun& run,
                   const analysis::ProfileSelection& profiles, const analysis::Context& context,
                   const analysis::RunRecord& record);

}  // namespace seccheck::scan
