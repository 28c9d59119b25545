// Slack shortcodes Baton's messages use (and a few common ones), as Unicode. Unknown codes stay
// as typed, the way Slack shows a custom emoji it cannot find.
const EMOJI = {
  white_check_mark: '✅', heavy_check_mark: '✔️', x: '❌', warning: '⚠️', no_entry: '⛔',
  no_entry_sign: '🚫', hourglass: '⌛', hourglass_flowing_sand: '⏳', rocket: '🚀', question: '❓',
  grey_question: '❔', twisted_rightwards_arrows: '🔀', speech_balloon: '💬', robot_face: '🤖',
  octagonal_sign: '🛑', moneybag: '💰', white_square: '⬜', white_circle: '⚪', wastebasket: '🗑️',
  tada: '🎉', mag: '🔍', leftwards_arrow_with_hook: '↩️', information_source: 'ℹ️', inbox_tray: '📥',
  fast_forward: '⏩', double_vertical_bar: '⏸️', arrows_counterclockwise: '🔄', arrow_forward: '▶️',
  large_green_circle: '🟢', red_circle: '🔴', large_yellow_circle: '🟡', large_blue_circle: '🔵',
  green_circle: '🟢', yellow_circle: '🟡', black_circle: '⚫', heavy_minus_sign: '➖',
  heavy_plus_sign: '➕', eyes: '👀', thumbsup: '👍', '+1': '👍', thumbsdown: '👎', '-1': '👎',
  wave: '👋', bug: '🐛', wrench: '🔧', hammer_and_wrench: '🛠️', gear: '⚙️', lock: '🔒',
  link: '🔗', memo: '📝', pencil: '📝', pencil2: '✏️', page_facing_up: '📄', paperclip: '📎',
  clipboard: '📋', package: '📦', test_tube: '🧪', microscope: '🔬', bulb: '💡', fire: '🔥',
  sparkles: '✨', star: '⭐', stopwatch: '⏱️', alarm_clock: '⏰', clock1: '🕐', calendar: '📅',
  bell: '🔔', zap: '⚡', construction: '🚧', checkered_flag: '🏁', shield: '🛡️', key: '🔑',
  arrow_right: '➡️', arrow_left: '⬅️', arrow_up: '⬆️', arrow_down: '⬇️', repeat: '🔁',
  heavy_exclamation_mark: '❗', exclamation: '❗', bangbang: '‼️', raised_hand: '✋', pray: '🙏',
  smile: '😄', slightly_smiling_face: '🙂', thinking_face: '🤔', ballot_box_with_check: '☑️',
  radio_button: '🔘', large_orange_diamond: '🔶', small_blue_diamond: '🔹', chart_with_upwards_trend: '📈',
  scales: '⚖️', broom: '🧹', recycle: '♻️', skull: '💀', boom: '💥', mailbox: '📫', e_mail: '📧',
};

/** The emoji for a shortcode name (without colons), or undefined. */
export function emojiFor(name) {
  return Object.hasOwn(EMOJI, name) ? EMOJI[name] : undefined;
}

/** `:rocket: go` → `🚀 go`; `14:00:00` and unknown codes are left alone. */
export function emojify(text) {
  return text.replace(/:([a-z0-9_+-]+):/g, (all, name) => emojiFor(name) ?? all);
}
