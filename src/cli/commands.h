/* cli/commands.h — the sangloc subcommands. Each takes argc/argv after the subcommand name
 * (argv[0] is the subcommand) and returns the process exit status. */
#ifndef SL_CLI_COMMANDS_H
#define SL_CLI_COMMANDS_H

int sl_cmd_normalize(int argc, char **argv);
int sl_cmd_train(int argc, char **argv);
int sl_cmd_pretrain(int argc, char **argv);
int sl_cmd_model(int argc, char **argv);
int sl_cmd_eval(int argc, char **argv);
int sl_cmd_bank(int argc, char **argv);
int sl_cmd_policy(int argc, char **argv);
int sl_cmd_check(int argc, char **argv);
int sl_cmd_token(int argc, char **argv);
int sl_cmd_serve(int argc, char **argv);
int sl_cmd_work(int argc, char **argv);
int sl_cmd_purge(int argc, char **argv);
int sl_cmd_webhook(int argc, char **argv);
int sl_cmd_audit(int argc, char **argv);
/* `policy test FILE`: called by the policy command */
int sl_cmd_policy_test(int argc, char **argv);

#endif
