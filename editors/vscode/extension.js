// loopguard for VS Code: starts `loopguard server` (a language server over standard input and
// output) for Python files. The server does the work; this only starts it and passes the settings.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

// `${workspaceFolder}` in the command, as in VS Code's own settings: the first folder's path. A venv
// is best named this way: the extension host can take its PATH from the login shell rather than
// from the shell VS Code was started from (code-server does), and an activated venv is not on it.
function expand(word) {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? "";
  return word.split("${workspaceFolder}").join(folder);
}

function createClient() {
  const settings = vscode.workspace.getConfiguration("loopguard");
  const [command, ...args] = settings.get("command").map(expand);
  return new LanguageClient(
    "loopguard",
    "loopguard",
    // No `transport`: with one, the client appends `--stdio` to the arguments.
    { command, args },
    {
      documentSelector: [{ scheme: "file", language: "python" }],
      initializationOptions: {
        severity: settings.get("severity"),
        debounce: settings.get("debounce"),
      },
      // Settings and imported modules can change outside the editor (a `git checkout`): the
      // server reads the configuration again and follows the imports again when told.
      synchronize: {
        fileEvents: vscode.workspace.createFileSystemWatcher("**/{pyproject.toml,loopguard.toml,*.py,*.pyi}"),
      },
    },
  );
}

async function restart() {
  if (client) {
    await client.stop();
  }
  client = createClient();
  await client.start();
}

exports.activate = async function (context) {
  context.subscriptions.push(
    vscode.commands.registerCommand("loopguard.restart", restart),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration("loopguard")) {
        restart();
      }
    }),
  );
  await restart();
};

exports.deactivate = () => (client ? client.stop() : undefined);
