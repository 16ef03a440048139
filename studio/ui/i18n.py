"""Interface language: English keys, a Japanese catalogue, switched at runtime.

Every user-visible string goes through `tr`. English is the key itself; the
catalogue below maps it to Japanese. Widgets re-label themselves in
``retranslate()`` when `i18n.notifier.language_changed` fires, so switching in
the settings dialog takes effect without a restart. (A Python catalogue rather
than .ts/.qm: it needs no build step, and a test checks it covers every key.)
"""

from __future__ import annotations

from PySide6.QtCore import QLocale, QObject, Signal

LANGUAGES = {"en": "English", "ja": "日本語"}
_current = "en"


class _Notifier(QObject):
    language_changed = Signal(str)


notifier = _Notifier()


def resolve(setting: str) -> str:
    """The language to use for a settings value ("system", "en" or "ja")."""
    if setting in LANGUAGES:
        return setting
    return "ja" if QLocale.system().name().startswith("ja") else "en"


def set_language(lang: str) -> None:
    global _current
    lang = resolve(lang)
    if lang != _current:
        _current = lang
        notifier.language_changed.emit(lang)


def language() -> str:
    return _current


def tr(text: str, **values: object) -> str:
    """``text`` in the current language, with ``{name}`` fields filled from ``values``."""
    out = JA.get(text, text) if _current == "ja" else text
    return out.format(**values) if values else out


JA: dict[str, str] = {
    'Write a story; get a storyboard of shots with sound, made on your own machine.': '物語を書けば、音付きのショットの絵コンテが手元のマシンでできあがります。',
    'New project from a story': '物語から新しいプロジェクト',
    'In the morning she walks to the university → she attends a lecture → at night she studies in a cafe': '朝、大学に向かう→授業を受ける→夜カフェで勉強する',
    'Create storyboard': '絵コンテを作る',
    'Start from a template': 'テンプレートから始める',
    'Open…': '開く…',
    'Recent projects': '最近のプロジェクト',
    'Projects you open appear here.': '開いたプロジェクトがここに表示されます。',
    '16:9 landscape': '16:9 横長',
    '9:16 vertical': '9:16 縦長',
    '1:1 square': '1:1 正方形',
    'New': '新規',
    'New project (start page)': '新しいプロジェクト（スタートページ）',
    'Open': '開く',
    'Open a project': 'プロジェクトを開く',
    'Save': '保存',
    'Save the project': 'プロジェクトを保存',
    'Undo': '元に戻す',
    'Redo': 'やり直す',
    'Undo {t}': '元に戻す：{t}',
    'Redo {t}': 'やり直す：{t}',
    'Generate': '生成',
    'Generate the selected shots (Ctrl+Enter)': '選択したショットを生成（Ctrl+Enter）',
    'Generate missing': '未生成を生成',
    'Generate every shot without a current take': '最新のテイクがないショットをすべて生成',
    'Export': '書き出し',
    'Export the storyboard as an MP4 (Ctrl+E)': '絵コンテをMP4に書き出す（Ctrl+E）',
    'Settings': '設定',
    'Duplicate': '複製',
    'Duplicate the selected shots (Ctrl+D)': '選択したショットを複製（Ctrl+D）',
    'Split': '分割',
    'Split the shot at the playhead (Ctrl+K)': '再生ヘッドの位置でショットを分割（Ctrl+K）',
    'Delete': '削除',
    'Delete the selected shots (Delete)': '選択したショットを削除（Delete）',
    'Add shot': 'ショットを追加',
    'Add an empty shot after the selection': '選択の後ろに空のショットを追加',
    'Move earlier': '前へ移動',
    'Move the selected shots earlier (Alt+Left)': '選択したショットを前へ移動（Alt+←）',
    'Move later': '後ろへ移動',
    'Move the selected shots later (Alt+Right)': '選択したショットを後ろへ移動（Alt+→）',
    'Select all': 'すべて選択',
    'Select all shots': 'すべてのショットを選択',
    'Play': '再生',
    'Play / pause (Space)': '再生／一時停止（Space）',
    'Previous frame': '前のフレーム',
    'Next frame': '次のフレーム',
    'Previous frame (,)': '前のフレーム（,）',
    'Next frame (.)': '次のフレーム（.）',
    'Go to start': '先頭へ',
    'Go to start (Home)': '先頭へ（Home）',
    'Zoom in': 'ズームイン',
    'Zoom out': 'ズームアウト',
    'Zoom the timeline in (Ctrl+=)': 'タイムラインを拡大（Ctrl+=）',
    'Zoom the timeline out (Ctrl+-)': 'タイムラインを縮小（Ctrl+-）',
    'Shot': 'ショット',
    'Story bible': 'ストーリーバイブル',
    'Storyboard': '絵コンテ',
    'Unsaved changes': '未保存の変更',
    'Save the changes to this project first?': '先にこのプロジェクトの変更を保存しますか？',
    'Open a project (a .studio folder)': 'プロジェクトを開く（.studio フォルダー）',
    'Saved': '保存済み',
    'Saved {p}': '{p} を保存しました',
    'Autosaved': '自動保存しました',
    'Autosave failed: {m}': '自動保存に失敗しました：{m}',
    'Could not create the project: {m}': 'プロジェクトを作成できませんでした：{m}',
    'Recover unsaved work?': '未保存の作業を復元しますか？',
    'Studio closed before this project was saved. Recover the unsaved changes?': 'このプロジェクトを保存する前に Studio が終了しました。未保存の変更を復元しますか？',
    'Recovered the unsaved work. Save to keep it.': '未保存の作業を復元しました。残すには保存してください。',
    'Could not open the project: {m}': 'プロジェクトを開けませんでした：{m}',
    'Could not save: {m}': '保存できませんでした：{m}',
    'Split shot': 'ショットを分割',
    'Importing {n} file(s)…': '{n} 個のファイルを読み込み中…',
    'Import {n} file(s)': '{n} 個のファイルを読み込む',
    'Imported {n} file(s).': '{n} 個のファイルを読み込みました。',
    'Could not import {f}: {m}': '{f} を読み込めませんでした：{m}',
    'Generating {t}…': '{t} を生成中…',
    'Generate take': 'テイクを生成',
    'New take for {t}.': '{t} の新しいテイクができました。',
    'Generation cancelled.': '生成をキャンセルしました。',
    'Generating… {p}%': '生成中… {p}%',
    'Generation failed: {m}': '生成に失敗しました：{m}',
    'Render for export': '書き出し用にレンダリング',
    'Change duration': '長さを変更',
    'Duplicate shots': 'ショットを複製',
    'Duplicate shot': 'ショットを複製',
    "A one-frame shot can't be split.": '1フレームのショットは分割できません。',
    'Delete shots': 'ショットを削除',
    'Delete shot': 'ショットを削除',
    'Move shots': 'ショットを移動',
    'Move shot': 'ショットを移動',
    'Every shot already has a current take.': 'すべてのショットに最新のテイクがあります。',
    'Nothing to export: the storyboard has no shots.': '書き出すものがありません：絵コンテにショットがありません。',
    'save': '保存',
    'discard': '破棄',
    'Character{n}': 'キャラクター{n}',
    'Characters': 'キャラクター',
    'Add a character': 'キャラクターを追加',
    'Remove the selected character': '選択したキャラクターを削除',
    'Style': 'スタイル',
    'e.g. hand-drawn animatic, soft light': '例：手描きのアニマティック、やわらかな光',
    'Setting': '舞台',
    'e.g. a small seaside town in autumn': '例：秋の小さな海辺の町',
    'Add character': 'キャラクターを追加',
    'Remove character': 'キャラクターを削除',
    'Name': '名前',
    'Look': '見た目',
    'Edit style': 'スタイルを編集',
    'Edit setting': '舞台を編集',
    'Rename character': 'キャラクター名を変更',
    'Edit look': '見た目を編集',
    'Export video': '動画を書き出す',
    'Browse…': '参照…',
    'Aspect': 'アスペクト比',
    'Quality': '画質',
    'Save to': '保存先',
    'Draft (fast, smaller)': 'ドラフト（速い・小さい）',
    'Standard': '標準',
    'High (slow, larger)': '高画質（遅い・大きい）',
    '{n} shots · {s} s · watermarked, with its recipe inside': '{n} ショット · {s} 秒 · 透かし入り、レシピ埋め込み',
    'Cancel': 'キャンセル',
    'Show in folder': 'フォルダーで表示',
    'MP4 video (*.mp4)': 'MP4 動画 (*.mp4)',
    'Exported {name}: {s} s, {w}×{h}, {l} LUFS.': '{name} を書き出しました：{s} 秒、{w}×{h}、{l} LUFS。',
    'Export cancelled; nothing was written.': '書き出しをキャンセルしました。何も書き込まれていません。',
    'Follow the system': 'システムに合わせる',
    'Language': '言語',
    'Autosave every': '自動保存の間隔',
    'New projects': '新規プロジェクト',
    'Preview volume': 'プレビュー音量',
    'OK': 'OK',
    'Cancel export': '書き出しをキャンセル',
    'Close': '閉じる',
    'The folder {p} does not exist. Choose another destination.': 'フォルダー {p} がありません。別の保存先を選んでください。',
    'Cancelling…': 'キャンセル中…',
    'Encoding {d} / {t} frames': 'エンコード中 {d} / {t} フレーム',
    'Rendering {t}… {d} / {n}': '{t} をレンダリング中… {d} / {n}',
    'Export failed: {m}': '書き出しに失敗しました：{m}',
    'Interface language: system (follow the locale), en or ja.': '表示言語：system（ロケールに従う）、en、ja。',
    'Project bundles opened lately, newest first.': '最近開いたプロジェクト（新しい順）。',
    'Preview volume, 0 to 1.': 'プレビュー音量（0〜1）。',
    'Write unsaved work to the autosave file this often (5 to 600 s).': '未保存の作業をこの間隔で自動保存ファイルに書き込みます（5〜600秒）。',
    'Aspect of new projects: 16:9, 9:16 or 1:1.': '新規プロジェクトのアスペクト比：16:9、9:16、1:1。',
    'Start the preview again at the end.': '最後まで再生したら最初から繰り返します。',
    'Where new projects are created (empty: Documents/Studio).': '新規プロジェクトの作成場所（空欄：書類/Studio）。',
    "Play the selected shot's take": '選択したショットのテイクを再生',
    'Play the whole storyboard': '絵コンテ全体を再生',
    'Loop': 'ループ',
    'Volume': '音量',
    'frame {f} / {n}': 'フレーム {f} / {n}',
    'No take yet. Press Generate to make one.': 'まだテイクがありません。「生成」を押して作りましょう。',
    'No sound device: playing without sound': 'サウンドデバイスがありません：音なしで再生します',
    'Title (optional)': 'タイトル（任意）',
    'Describe the shot. @Name casts a character, [camera: pan left] moves the camera, "quotes" are dialogue, {sfx: door} adds a sound.': 'ショットを説明してください。@名前 でキャラクターを登場させ、[カメラ: 左にパン] でカメラを動かし、「かぎかっこ」はせりふ、{効果音: ドア} で音を加えます。',
    'New random seed': '新しいランダムシード',
    'Generate a new take of this shot (Ctrl+Enter)': 'このショットの新しいテイクを生成（Ctrl+Enter）',
    'Select a shot on the timeline to edit its prompt.': 'タイムラインでショットを選ぶとプロンプトを編集できます。',
    '{i} of {n}': '{i} / {n}',
    '{f} frames': '{f} フレーム',
    'Built in': '内蔵',
    'Edit title': 'タイトルを編集',
    'Edit prompt': 'プロンプトを編集',
    'Change camera': 'カメラを変更',
    'Change seed': 'シードを変更',
    'Change engine': 'エンジンを変更',
    'Change model': 'モデルを変更',
    'Choose take': 'テイクを選択',
    'No takes yet': 'テイクはまだありません',
    'imported': '読み込み',
    'Take {n}': 'テイク {n}',
    'seed': 'シード',
    'Static': '固定',
    'Pan left': '左にパン',
    'Pan right': '右にパン',
    'Tilt up': 'ティルトアップ',
    'Tilt down': 'ティルトダウン',
    'Dolly in': 'ドリーイン',
    'Dolly out': 'ドリーアウト',
    'Orbit': 'オービット',
    'Sketch (instant animatic)': 'スケッチ（即時アニマティック）',
    'Cast a character (@Name)': 'キャラクターを登場させる（@名前）',
    'Camera move': 'カメラの動き',
    'A line of dialogue': 'せりふ',
    'A sound effect': '効果音',
    'Cancel this job': 'このジョブをキャンセル',
    'Queue': 'キュー',
    'Clear finished': '完了したものを消去',
    'Nothing is generating. Select a shot and press Generate.': '生成中のものはありません。ショットを選んで「生成」を押してください。',
    '{e} elapsed · about {r} left': '経過 {e} · 残り約 {r}',
    '{e} elapsed': '経過 {e}',
    'Rendering': 'レンダリング',
    'Sound': 'サウンド',
    'Decoding': 'デコード',
    'Loading model': 'モデルを読み込み中',
    'Saving take': 'テイクを保存中',
    'Waiting': '待機中',
    'Queued': '待機中',
    'Done': '完了',
    'Failed': '失敗',
    'Cancelled': 'キャンセル済み',
    '{s} s · {f} f': '{s} 秒 · {f} f',
    'No shots yet. Drop images or videos here, or write a story on the start page.': 'ショットはまだありません。ここに画像や動画をドロップするか、スタートページで物語を書いてください。',
    '{n} takes': '{n} テイク',
    'changed': '変更あり',
    'failed': '失敗',
}
