// What the composer sends: Slack clients send `&`, `<` and `>` as entities (so a typed `<` is
// never a control token), and a typed @name of a known user or of the app becomes `<@ID>`.

function escapeForSlack(text) {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Lower-cased handle → user id: the bot by its name, people by name and by first name. */
function mentionNames(state) {
  const names = new Map();
  const add = (name, id) => {
    const key = String(name ?? '').toLowerCase();
    if (key && !names.has(key)) names.set(key, id);
  };
  if (state?.bot) add(state.bot.name, state.bot.id);
  for (const u of state?.users ?? []) {
    add(u.name, u.id);
    add(String(u.real_name ?? '').split(/\s+/)[0], u.id);
  }
  return names;
}

/** The text to send for what was typed. */
export function encodeComposerText(typed, state) {
  const names = mentionNames(state);
  return escapeForSlack(typed.trim()).replace(/(^|[\s(])@([\w-]+)/g, (all, before, name) => {
    const id = names.get(name.toLowerCase());
    return id ? `${before}<@${id}>` : all;
  });
}
