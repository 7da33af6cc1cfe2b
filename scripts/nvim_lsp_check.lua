-- loopguard's language server in a real Neovim (0.7 or later), headless:
--
--   nvim --headless -u NONE -c "luafile scripts/nvim_lsp_check.lua"
--
-- It writes a small project to a temporary directory, opens a buffer that is never saved, and checks
-- what an editor user would see: the two diagnostics (the transitive one with its chain as related
-- information), the hover, the "Add `# noqa`" code action applied as Neovim applies it, and the
-- diagnostics going away as the buffer changes. `loopguard` must be on PATH. Exit status 0 when all
-- of it held, 1 (with the reason) otherwise.

local root = vim.fn.tempname()
vim.fn.mkdir(root .. "/app", "p")
vim.fn.writefile({ "[tool.loopguard]", 'ignore = ["LG5"]' }, root .. "/pyproject.toml")
vim.fn.writefile({}, root .. "/app/__init__.py")
vim.fn.writefile({ "import requests", "", "", "def fetch():", '    return requests.get("https://example.com")' },
  root .. "/app/helpers.py")

local function fail(message)
  io.stderr:write("FAILED: " .. message .. "\n")
  vim.cmd("cquit 1")
end

local function expect(condition, message)
  if not condition then fail(message) end
end

vim.cmd("edit " .. root .. "/app/views.py") -- never written: the buffer exists only in Neovim
local buf = vim.api.nvim_get_current_buf()
vim.bo[buf].filetype = "python"
vim.api.nvim_buf_set_lines(buf, 0, -1, false, {
  "import time", "", "from app.helpers import fetch", "", "",
  "async def handler():", "    time.sleep(1)", "    page = fetch()", "    return page",
})

-- Neovim 0.7's calls; 0.8+ would use vim.lsp.start, 0.11+ vim.lsp.config (docs/integrations.md)
local client = vim.lsp.start_client({
  name = "loopguard", cmd = { "loopguard", "server" }, root_dir = root,
  init_options = { severity = "warning", debounce = 0.05 },
})
vim.lsp.buf_attach_client(buf, client)

local function count() return #vim.diagnostic.get(buf) end
local function codes()
  local found = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do table.insert(found, d.code) end
  table.sort(found)
  return table.concat(found, ",")
end

expect(vim.wait(30000, function() return count() == 2 end, 50), "two diagnostics after opening, got " .. codes())
expect(codes() == "LG101,LG201", "LG101 and LG201 expected, got " .. codes())
for _, d in ipairs(vim.diagnostic.get(buf)) do
  if d.code == "LG201" then
    local related = d.user_data.lsp.relatedInformation
    expect(#related == 2, "the chain has two hops")
    expect(vim.endswith(vim.uri_to_fname(related[2].location.uri), "/app/helpers.py"), "the last hop is in helpers.py")
    expect(related[2].location.range.start.line == 4, "the last hop is the requests.get line")
  end
end

local hover = vim.lsp.buf_request_sync(buf, "textDocument/hover", {
  textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = 6, character = 6 } }, 10000)
local text = ""
for _, response in pairs(hover or {}) do text = text .. (response.result and response.result.contents.value or "") end
expect(text:find("LG101", 1, true) ~= nil, "the hover names LG101: " .. text)

-- what vim.lsp.buf.code_action() sends on 0.7: the line's diagnostics in LSP form
local actions = vim.lsp.buf_request_sync(buf, "textDocument/codeAction", {
  textDocument = { uri = vim.uri_from_bufnr(buf) },
  range = { start = { line = 7, character = 0 }, ["end"] = { line = 7, character = 0 } },
  context = { diagnostics = vim.lsp.diagnostic.get_line_diagnostics(buf, 7) } }, 10000)
local applied = false
for _, response in pairs(actions or {}) do
  for _, action in ipairs(response.result or {}) do
    expect(action.title == "Add `# noqa: LG201`", "the action's title: " .. action.title)
    vim.lsp.util.apply_workspace_edit(action.edit, "utf-16")
    applied = true
  end
end
expect(applied, "a code action was offered")
local line = vim.api.nvim_buf_get_lines(buf, 7, 8, false)[1]
expect(line == "    page = fetch()  # noqa: LG201", "the noqa comment: " .. line)
expect(vim.wait(30000, function() return codes() == "LG101" end, 50), "LG201 silenced, got " .. codes())

vim.api.nvim_buf_set_lines(buf, 6, 7, false, {}) -- delete the time.sleep line
expect(vim.wait(30000, function() return count() == 0 end, 50), "no diagnostics left, got " .. codes())

print("ok: diagnostics with the chain, hover, noqa code action, updates on change")
vim.lsp.stop_client(client)
vim.cmd("qa!")
