#include "analysis/selection.h"

#include "analysis/catalog.h"

namespace seccheck::analysis {

Result<ProfileSelection> select_profiles(const std::vector<std::string>& specs, const Context& context) {
  ProfileSelection selection;
  const std::vector<std::string> names = specs.empty() ? std::vector<std::string>{"runtime-default"} : specs;
  for (const std::string& name : names) {
    Result<std::vector<Profile>> loaded = load_profiles(name);
    if (!loaded) return loaded.error();
    for (Profile& profile : *loaded) {
      for (const std::string& warning : profile.warnings)
        selection.warnings.push_back(warning);
      selection.profiles.push_back(std::move(profile));
    }
  }
  for (const Profile& profile : selection.profiles)
    selection.resolved.push_back(resolve(profile, context));
  return selection;
}

Result<ProfileSelection> select_one_profile(const std::string& spec, const Context& context,
                                            const std::string& option) {
  Result<ProfileSelection> selection = select_profiles({spec}, context);
  if (selection && selection->profiles.size() != 1)
    return make_error(option + " " + spec + ": names " + std::to_string(selection->profiles.size()) +
                      " profiles; name exactly one (e.g. docker, crio or a file)");
  return selection;
}

ArgRelevance argument_relevance(const std::vector<Profile>& selected) {
  ArgRelevance relevance;
  for (const CatalogEntry& entry : catalog_entries()) {
    Result<std::vector<Profile>> profiles = catalog_profiles(entry.name);
    if (!profiles) continue;
    for (const Profile& profile : *profiles)
      relevance.add_profile(profile);
  }
  for (const Profile& profile : selected)
    relevance.add_profile(profile);
  return relevance;
}

}  // namespace seccheck::analysis
