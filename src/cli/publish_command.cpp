// `newsmirror publish --git`: commit what changed in the mirror folder and,
// with --push, push it. `--git` is the only target so far; the static site
// and feeds out will be others.
#include <iostream>
#include <memory>

#include "cli/command.hpp"
#include "cli/cycle_output.hpp"
#include "cli/git_publish_output.hpp"
#include "cli/mirror_lock.hpp"

namespace newsmirror::cli {

namespace {

struct PublishSettings {
  bool git = false;
  GitPublishSettings git_settings;
};

}  // namespace

Command add_publish_command(CLI::App& parent, const GlobalOptions& globals) {
  auto settings = std::make_shared<PublishSettings>();
  Command command;
  command.app = add_command(
      parent, "publish", "Publish the mirror: commit it to git (--git) and push",
      "Publish the mirror. With --git, the mirror folder is a git repository (one\n"
      "on branch main is created when it is none; an existing clone keeps its branch\n"
      "and config). Every addition, change and deletion is committed, except\n"
      ".newsmirror/ (state, catalog, journals) and unfinished temp files, which the\n"
      "mirror's .gitignore keeps out. Nothing changed: no commit.\n"
      "\n"
      "The commit message counts the article files the commit adds and changes per\n"
      "site, e.g. \"newsmirror: 12 new, 1 changed — 法广 +5, BBC +7 ~1\", with one line\n"
      "per site below. Author and committer are git's user.name and user.email,\n"
      "else \"newsmirror <newsmirror@localhost>\".\n"
      "\n"
      "--push then pushes the current branch to the same branch of the remote. It\n"
      "is never forced: when the remote has commits the mirror lacks, the push fails\n"
      "and says so. The first push to an empty bare repository on this machine also\n"
      "makes the pushed branch its default (HEAD), so a clone checks the mirror out;\n"
      "an empty repository on a server keeps the default its host gives it (hosting\n"
      "services take the first branch pushed). Local paths and file:// need no\n"
      "credentials; SSH uses the SSH agent; HTTPS asks git's credential helpers\n"
      "(git config credential.helper).\n"
      "\n"
      "--json prints {committed, commit, branch, new, changed, removed, other_files,\n"
      "per_site: [{site, new, changed, removed}], pushed, remote, error}.\n"
      "Exit status: 0 on success (also when there was nothing to commit), 1 when\n"
      "the commit or the push failed, 2 for usage errors (no --git, unknown remote).");
  command.app->add_flag("--git", settings->git, "Commit the mirror folder to git (required)");
  command.app->add_option("--remote", settings->git_settings.remote, "Remote to push to")
      ->default_str("origin")
      ->type_name("NAME");
  command.app->add_flag("--push", settings->git_settings.push,
                        "Push the current branch after committing (never forced)");
  command.run = [&globals, settings] {
    if (!settings->git)
      return report_error(core::Error(core::ErrorKind::usage,
                                      "publish: --git is required (the only publish target so "
                                      "far); see newsmirror publish --help"),
                          globals);
    auto lock = lock_mirror(globals, "publish");
    if (!lock) return report_error(lock.error(), globals);
    auto outcome = publish_to_git(globals.mirror, settings->git_settings, globals);
    if (!outcome) return report_error(outcome.error(), globals);
    // Committed (a failed push writes nothing here): no temp file of ours
    // is left, and the next cycle need not walk the archive for one.
    lock->mark_finished();
    if (globals.json) std::cout << to_json(*outcome, settings->git_settings).dump() << std::endl;
    print_git_publish(*outcome, settings->git_settings, globals);
    if (outcome->push_error) {
      std::cerr << "newsmirror: " << outcome->push_error->message << std::endl;
      bool usage = outcome->push_error->kind == core::ErrorKind::usage;
      return usage ? kExitUsage : kExitFailure;
    }
    return kExitOk;
  };
  return command;
}

}  // namespace newsmirror::cli
