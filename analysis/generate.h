// Profile generation from recorded calls: a base profile plus the smallest additions that let
// every observed call through (argument-narrow where the base conditions on arguments), or a
// minimal allow-list of the observed calls. Promises:
// * every observed call the base blocked is allowed by the result, checked with evaluate()
//   under libseccomp's merge semantics for the given context (an addition that libseccomp
//   would drop or outrank is fixed, or reported in GeneratedProfile::unresolved);
// * additions are EQ rules on exactly the argument values seen where the base's rules for that
//   call condition on arguments, so the result is never looser than the base for a call the run
//   did not make;
// * a profile names calls, not per-ABI numbers: an addition holds on every ABI the filter
//   accepts, as the base's own rules do (on 32-bit ABIs EQ compares the low 32 bits);
// * output is deterministic: additions sorted by name and argument values.
#pragma once

#include <string>
#include <vector>

#include "analysis/context.h"
#include "analysis/findings.h"
#include "analysis/profile.h"
#include "analysis/resolve.h"
#include "analysis/run_record.h"
#include "core/result.h"

namespace seccheck::analysis {

struct GenerateRequest {
  std::vector<RecordedCall> calls;
  const Profile* base = nullptr;  // nullptr: --minimal
  Context context;
  // Who reads the profile: docker and crio read includes/excludes; containerd reads a Localhost
  // profile as a flat runtime-spec object (no includes, excludes or archMap), so the profile is
  // emitted resolved for the context there.
  Engine engine = Engine::kDocker;
  std::string name;  // Profile::name of the result
  // check --impact findings whose fix is ENOSYS (with a base): answered ERRNO(ENOSYS) (errnoRet
  // 38) by a rule as narrow as an addition, so the call stays blocked and the workload recovers.
  std::vector<RecordedCall> enosys_calls;
};

struct GeneratedProfile {
  Profile profile;
  std::size_t additions = 0;            // rules added for observed calls (allow and ENOSYS)
  std::vector<std::string> notes;       // what was changed and why (one line each)
  std::vector<std::string> unresolved;  // observed calls the result still blocks (should be empty)
};

Result<GeneratedProfile> generate_profile(const GenerateRequest& request);

// Whether `record` (read from `source`) may make a profile: a record of an interrupted run holds
// only the calls made until then, so a profile from it would deny the rest (refused unless
// `allow_partial`); a minimal allow-list needs a record of every call (check --record), not only
// the calls a check flagged. The error names `source` and says what to do.
Result<void> record_fits_generate(const RunRecord& record, const std::string& source, bool minimal,
                                  bool allow_partial);

// What a `check --impact` report (read from `source`) says `profile` must change to let the
// workload run: the calls of breaking findings whose fix is ENOSYS, and the calls to allow (the
// other breaking findings and the unstable ones). Findings the workload recovers from stay
// blocked and are only counted. An error, naming `source`, for a report without impact or one
// that did not check `profile`.
struct ImpactChanges {
  std::vector<RecordedCall> allow;
  std::vector<RecordedCall> enosys;
  std::size_t recovering = 0;
  std::vector<std::string> command;  // the checked workload's
};
Result<ImpactChanges> impact_changes(const CheckReport& report, const std::string& profile,
                                     const std::string& source);

// The runtime a profile is written for when none is named: the base's own runtime (docker for
// files and --minimal).
Engine engine_of(const Profile* base);

// The forms a generated profile is written in: the OCI/Docker JSON, a Security Profiles Operator
// SeccompProfile (resolved and flattened for the engine's context), or a Pod securityContext
// snippet that references it as a Localhost profile.
enum class ProfileForm { kOci, kSpo, kPod };
Result<ProfileForm> parse_profile_form(const std::string& text);
std::string profile_in_form(const Profile& profile, ProfileForm form, Engine engine, const Context& context,
                            const std::string& name);

// The context an engine evaluates with: containers-common's loader for crio, moby's
// for docker and containerd.
Context context_for_engine(const Context& context, Engine engine);

// A resolved profile written back as a flat profile (no includes/excludes/archMap, explicit
// architectures and errno values): what containerd and the Security Profiles Operator read.
// Comments are taken from `original`'s rules.
Profile flatten_profile(const ResolvedProfile& resolved, const Profile& original);

// Calls --minimal always allows because any process needs them to start or end, though a run
// may not show them (the syscall table's essential rows, in their order). `why` is written into
// the profile's comment.
struct EssentialCall {
  std::string name;
  std::string why;
};
std::vector<EssentialCall> essential_calls();

// A Security Profiles Operator SeccompProfile object (apiVersion
// security-profiles-operator.x-k8s.io/v1beta1) for a flat profile; comments become YAML
// comments (the CRD has no comment field).
std::string profile_to_spo_yaml(const Profile& flat_profile, const std::string& name);
// A Pod securityContext snippet referencing the profile as Localhost profiles/NAME.json, with
// the node path the kubelet reads it from.
std::string pod_security_context_yaml(const std::string& name);
// A name usable as a Kubernetes object name and a file name: lower case, [a-z0-9.-].
std::string kubernetes_name(const std::string& name);

}  // namespace seccheck::analysis
