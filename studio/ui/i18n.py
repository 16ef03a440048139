"""Interface language: English keys, a Japanese catalogue, switched at runtime.

Every user-visible string goes through `tr`. English is the key itself; the
catalogue below maps it to Japanese. Widgets re-label themselves in
``retranslate()`` when `i18n.notifier.language_changed` fires, so switching in
the settings dialog takes effect without a restart. (A Python catalogue rather
than .ts/.qm: it needs no build step, and a test checks it covers every key.)
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QObject, QTranslator, Signal

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


_qt_translators: list[QTranslator] = []
_qt_catalogues: dict[str, list[QTranslator]] = {}
"""Loaded once per language and reinstalled on each switch (a new QTranslator per switch was kept
by the application for good: the 20-minute soak counted +290)."""


def _install_qt_translations(lang: str) -> None:
    """Qt's own strings (file dialogs, standard buttons, text-field menus) in ``lang``.

    Our catalogue covers our strings; the dialogs Qt draws itself (QFileDialog's "Look in",
    "Cancel", QDialogButtonBox's buttons, a line edit's context menu) come from the
    qtbase translations PySide6 ships.
    """
    app = QCoreApplication.instance()
    if app is None:
        return
    for old in _qt_translators:
        app.removeTranslator(old)
    _qt_translators.clear()
    if lang == "en":
        return
    if lang not in _qt_catalogues:
        folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        loaded = []
        for catalogue in ("qtbase", "qtmultimedia"):
            translator = QTranslator(app)
            if translator.load(f"{catalogue}_{lang}", folder):
                loaded.append(translator)
            else:
                translator.deleteLater()
        _qt_catalogues[lang] = loaded
    for translator in _qt_catalogues[lang]:
        app.installTranslator(translator)
        _qt_translators.append(translator)


def set_language(lang: str) -> None:
    global _current
    lang = resolve(lang)
    if lang != _current or (lang != "en" and not _qt_translators):
        _install_qt_translations(lang)
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
    # template picker (window-ux3)
    "Each template is a short storyboard that shows the prompt grammar at work; edit any shot after.":
        "テンプレートはプロンプトの書き方がわかる短い絵コンテです。作ったあとでどのショットも編集できます。",
    "{n} shots · {aspect}": "{n} ショット · {aspect}",
    "Create": "作成",
    # Long shots in windows (diffusers engine)
    "window {k} of {n}": "ウィンドウ {k}/{n}",
    # render farm (studio/farm, Settings)
    "In this process": "このプロセスで",
    "Local farm (every GPU)": "ローカルファーム（すべての GPU）",
    "Ray cluster at an address": "アドレスの Ray クラスター",
    "Render on": "レンダリング先",
    "Cluster address": "クラスターのアドレス",
    "Where shots render (Generate, and the missing shots of an export): empty in this process, local for a Ray farm on every GPU of this machine, or a Ray cluster address (host:6379 or ray://host:10001). The queue shows which node renders each shot.":
        "ショットをどこでレンダリングするか（生成と、書き出しで未作成のショット）: 空ならこのプロセス、local ならこのマシンのすべての GPU を使う Ray ファーム、または Ray クラスターのアドレス（host:6379 か ray://host:10001）。キューに各ショットをレンダリングするノードが表示されます。",
    # --- farm2 branch: the queue names the farm node of each shot
    "on {node}": "{node} で実行",
    # --- farm2 branch: importing a timeline as a new project (studio/ui/timeline_import.py)
    "Import a timeline…": "タイムラインを読み込む…",
    "Import a timeline (OTIO, Premiere/Resolve XML, Final Cut, EDL, Kdenlive) as a new project":
        "タイムライン（OTIO、Premiere/Resolve XML、Final Cut、EDL、Kdenlive）を新しいプロジェクトとして読み込む",
    "Import a timeline as a new project": "タイムラインを新しいプロジェクトとして読み込む",
    "Save the new project as": "新しいプロジェクトの保存先",
    "Studio projects (*.studio)": "Studio プロジェクト (*.studio)",
    "An import is already running.": "読み込みはすでに実行中です。",
    "{p} already exists. Choose a new project name.": "{p} はすでに存在します。新しいプロジェクト名を選んでください。",
    "Importing {f}…": "{f} を読み込み中…",
    "Made {p}; open it with Open when you are ready.": "{p} を作成しました。準備ができたら「開く」で開いてください。",
    "Imported {f}: {n} shots, {m} with media.": "{f} を読み込みました: ショット {n} 件、うちメディアあり {m} 件。",
    "Timeline imported": "タイムラインを読み込みました",
    "…and {k} more (see the details).": "…ほか {k} 件（詳細を参照）。",
    "Could not import the timeline: {m}": "タイムラインを読み込めませんでした: {m}",
    "Notes:": "注記:",
    # Models window (diffusers engine)
    "Models": "モデル",
    "Model": "モデル",
    "Kind": "種類",
    "State": "状態",
    "Download": "ダウンロード",
    "VRAM (GB)": "VRAM (GB)",
    "Sound": "サウンド",
    "Starts from image": "画像から開始",
    "Install": "インストール",
    "Cancel download": "ダウンロードを中止",
    "Remove": "削除",
    "Verify": "検証",
    "Add local folder…": "ローカルフォルダを追加…",
    "Close": "閉じる",
    "Memory profile": "メモリプロファイル",
    "auto picks the fastest profile that fits the free GPU memory": "auto は空き GPU メモリに収まる最速のプロファイルを選びます",
    "(STUDIO_MEMORY_PROFILE={p} overrides it)": "（環境変数 STUDIO_MEMORY_PROFILE={p} が優先されます）",
    "Memory profile {p} saved; it applies to the next generation.": "メモリプロファイル {p} を保存しました。次の生成から使われます。",
    "Could not save the memory profile: {e}": "メモリプロファイルを保存できませんでした: {e}",
    "Installed": "インストール済み",
    "Partly downloaded": "一部ダウンロード済み",
    "Not installed": "未インストール",
    "Needs one": "必須",
    "Yes": "はい",
    "No": "いいえ",
    "Video": "映像",
    "Audio": "音声",
    "Downloading {m}…": "{m} をダウンロード中…",
    "Downloading {m}: {d} of {t} GB": "{m} をダウンロード中: {d} / {t} GB",
    "Download of {m} stopped; Install resumes it.": "{m} のダウンロードを中止しました。インストールで再開できます。",
    "Could not install {m}: {e}": "{m} をインストールできませんでした: {e}",
    "Installed {m}.": "{m} をインストールしました。",
    "Could not remove {m}: {e}": "{m} を削除できませんでした: {e}",
    "Removed {m} ({g} GB freed).": "{m} を削除しました（{g} GB 解放）。",
    "{m}: every file is present.": "{m}: すべてのファイルがそろっています。",
    "{m} is not installed.": "{m} はインストールされていません。",
    "{m} is incomplete: {p}": "{m} は不完全です: {p}",
    "Choose a diffusers model folder": "diffusers のモデルフォルダを選択",
    "{m} added: choose it as a shot's model.": "{m} を追加しました。ショットのモデルとして選べます。",
    "Models…": "モデル…",
    "Install and manage video models": "映像モデルのインストールと管理",
    # stem mixer (studio/ui/stem_mixer.py)
    "Dialogue": "セリフ",
    "Foley": "効果音",
    "Ambience": "環境音",
    "Music": "音楽",
    "Mute {stem}": "{stem}をミュート",
    "Unmute {stem}": "{stem}のミュートを解除",
    "Change {stem} level": "{stem}の音量を変更",
    "Level of the {stem} stem in this shot (export mix)": "このショットの{stem}の音量（書き出しのミックス）",
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
    '{s} s · {f} f': '{s} 秒 · {f} フレーム',
    'No shots yet. Drop images or videos here, or write a story on the start page.': 'ショットはまだありません。ここに画像や動画をドロップするか、スタートページで物語を書いてください。',
    '{n} takes': '{n} テイク',
    'changed': '変更あり',
    'failed': '失敗',
    # The feed (studio/ui/feed/)
    'Liked': 'いいね済み',
    'Like': 'いいね',
    'Like this video (L)': 'この動画にいいね（L）',
    'Comment': 'コメント',
    'Comments': 'コメント',
    'Recipe': 'レシピ',
    'See how this video was made': 'この動画の作り方を見る',
    'Remix': 'リミックス',
    "Open this video's recipe as a new project": 'この動画のレシピを新しいプロジェクトとして開く',
    'Your cameo': 'あなたのカメオ',
    'This video cannot be played.': 'この動画は再生できません。',
    '{n} videos': '{n} 本の動画',
    'Comment not posted: {m}': 'コメントを投稿できませんでした: {m}',
    'the comment is empty': 'コメントが空です',
    'Feed': 'フィード',
    'All videos': 'すべての動画',
    'With my cameo': '自分のカメオ入り',
    'Videos in which one of your cameos appears': 'あなたのカメオが登場する動画',
    'Back to the studio': 'スタジオに戻る',
    'Add a comment…': 'コメントを追加…',
    'Post': '投稿',
    'Remix into a new project': '新しいプロジェクトにリミックス',
    'No videos with your cameo yet.': 'あなたのカメオが登場する動画はまだありません。',
    'No videos yet. Export a project and it appears here; drop a Studio MP4 on the window to remix it.': 'まだ動画がありません。プロジェクトを書き出すとここに表示されます。Studio の MP4 をウィンドウにドロップするとリミックスできます。',
    'This video carries no Studio recipe.': 'この動画には Studio のレシピが入っていません。',
    'The recipe cannot be read: {m}': 'レシピを読み込めません: {m}',
    '{n} shots': '{n} ショット',
    '1 shot': '1 ショット',
    'Cast': 'キャスト',
    'Cameos': 'カメオ',
    'Made with {app}': '{app} で制作',
    'Your videos as a feed: watch, like, comment, remix (Ctrl+Shift+F)': 'あなたの動画をフィードで: 見る・いいね・コメント・リミックス（Ctrl+Shift+F）',
    'Could not remix {f}: {m}': '{f} をリミックスできませんでした: {m}',
    'Remixed into a new project; {n} cameo(s) were not carried over (no permission).': '新しいプロジェクトにリミックスしました。カメオ {n} 件は引き継がれていません（許可がありません）。',
    'Remixed into a new project: {p}': '新しいプロジェクトにリミックスしました: {p}',
    # cameo wizard (studio/ui/cameo_wizard/)
    "Make a cameo": "カメオを作る",
    "Cameo…": "カメオ…",
    "Make a cameo of yourself: consent, a short liveness check, your face for casting": "自分のカメオを作る: 同意、短い本人確認、キャスティング用の顔",
    "Your consent": "同意",
    "Nothing is recorded until you have read and confirmed each point below.": "以下の各項目を読んで確認するまで、何も記録されません。",
    "Your name": "名前",
    "Type your name again to sign": "署名として名前をもう一度入力",
    "Consent is not complete: {m}": "同意が完了していません: {m}",
    "Liveness check": "本人確認",
    "Follow the prompts: look at the camera, turn left, turn right, then read the digits aloud.": "指示に従ってください: カメラを見る、左を向く、右を向く、数字を声に出して読む。",
    "Camera": "カメラ",
    "A webcam number (0 is the first) or a video file standing in for the webcam": "ウェブカメラの番号（最初は 0）、またはウェブカメラの代わりの動画ファイル",
    "Video file…": "動画ファイル…",
    # liveness: real cameras only (issue 16)
    "Follow the prompts as they appear: turn left or right, read the digits aloud. Their order and timing change every time.": "表示される指示に従ってください：左や右を向く、数字を声に出して読む。順番とタイミングは毎回変わります。",
    "The liveness check needs a live webcam: enter its number (0 is the first).": "本人確認にはライブのウェブカメラが必要です。番号を入力してください（最初のカメラは 0）。",
    "Start": "開始",
    "A video standing in for the webcam": "ウェブカメラの代わりの動画",
    "Consent is needed before anything is captured.": "記録の前に同意が必要です。",
    "Liveness check passed.": "本人確認に合格しました。",
    "Liveness check failed: {m} Try again.": "本人確認に失敗しました: {m} もう一度お試しください。",
    "The capture stopped: {m}": "記録が止まりました: {m}",
    "The capture was cancelled.": "記録を取り消しました。",
    "These face pictures and a face descriptor are kept, encrypted, on this computer only.": "これらの顔画像と顔の特徴量を、暗号化してこのコンピューターにのみ保存します。",
    "Who may use it": "使用できる人",
    "Only me": "自分のみ",
    "People I approve": "承認した人",
    "Everyone": "全員",
    "Could not store the cameo: {m}": "カメオを保存できませんでした: {m}",
    'Duration': '長さ',
    'Seed': 'シード',
    'Engine': 'エンジン',
    'Take': 'テイク',
    'Diffusers (video models on your GPU)': 'Diffusers（GPU の動画モデル）',
    'Cameo': 'カメオ',
    'None': 'なし',
    '{c} (unavailable)': '{c}（使用不可）',
    'Cast cameo': 'カメオを配役',
    # --- hand-off to editors and platforms (timeline export, delivery presets)
    "Editors and platforms": "編集ソフトと配信先",
    "Editors and platforms…": "編集ソフトと配信先…",
    "Format": "形式",
    "Write": "書き出す",
    "Writing…": "書き出し中…",
    "Wrote {p}": "{p} を書き出しました",
    "Could not write it: {m}": "書き出せませんでした: {m}",
    "Apply an editor's re-cut…": "編集ソフトでの再編集を反映…",
    "Timelines (*.otio *.otioz *.xml *.fcpxml *.edl *.kdenlive)": "タイムライン (*.otio *.otioz *.xml *.fcpxml *.edl *.kdenlive)",
    "Reading the re-cut…": "再編集を読み込み中…",
    "Re-cut: {m} moved, {r} retimed, {a} added, {k} not in the timeline (kept).":
        "再編集: 移動 {m}、尺の変更 {r}、追加 {a}、タイムラインにないもの {k}（残しています）。",
    "Re-cut from the editor": "編集ソフトでの再編集",
    "Timelines keep each shot's take, its stems as WAV files beside the timeline, and the dialogue as markers.":
        "タイムラインには各ショットのテイク、タイムラインの隣に WAV で置くステム、マーカーとしての台詞が入ります。",
    "Timeline: OpenTimelineIO (.otio)": "タイムライン: OpenTimelineIO（.otio）",
    "Timeline: OpenTimelineIO with media (.otioz)": "タイムライン: メディア同梱の OpenTimelineIO（.otioz）",
    "Timeline: Premiere / Resolve / FCP 7 (.xml)": "タイムライン: Premiere / Resolve / FCP 7（.xml）",
    "Timeline: Final Cut Pro (.fcpxml)": "タイムライン: Final Cut Pro（.fcpxml）",
    "Timeline: CMX 3600 EDL (.edl)": "タイムライン: CMX 3600 EDL（.edl）",
    "Timeline: Kdenlive (.kdenlive)": "タイムライン: Kdenlive（.kdenlive）",
    "Vertical short-form 1080×1920, −14 LUFS (H.264)": "縦型ショート 1080×1920、−14 LUFS（H.264）",
    "YouTube 1920×1080, −14 LUFS (H.265)": "YouTube 1920×1080、−14 LUFS（H.265）",
    "Broadcast EBU R128, −23 LUFS (H.264)": "放送 EBU R128、−23 LUFS（H.264）",
    "US broadcast ATSC A/85, −24 LKFS (H.264)": "米国放送 ATSC A/85、−24 LKFS（H.264）",
    "AV1 (MP4)": "AV1（MP4）",
    "ProRes 422 HQ for editing (MOV)": "編集用 ProRes 422 HQ（MOV）",
    "PNG image sequence (a folder, no content credentials)": "PNG 連番（フォルダー、コンテンツ認証情報なし）",
    # Scene plan: the "what Studio understood" line under the prompt (issue 15)
    "Studio understood: {plan}": "Studio の理解: {plan}",
    "Not understood: {words}": "理解できなかった語: {words}",
    # new-user fixes (issue 11, section 3)
    "Generate all": "すべて生成",
    "Generate every shot that has no current take (Ctrl+Shift+G)": "最新のテイクがないショットをすべて生成（Ctrl+Shift+G）",
    "No shot is selected: click a shot to generate it, or use Generate all for the whole storyboard.": "ショットが選択されていません。ショットをクリックして生成するか、「すべて生成」でストーリーボード全体を生成してください。",
    "{f} is not a Studio project: it has no {p} inside. Choose a .studio folder.": "{f} は Studio のプロジェクトではありません（中に {p} がありません）。.studio フォルダーを選んでください。",
    "Set by the [camera: …] mark in the prompt; choosing here rewrites the mark.": "プロンプトの [camera: …] 指定で決まっています。ここで選ぶと指定が書き換わります。",
    "{s} s": "{s} 秒",
    # timeline audio lanes (studio/ui/timeline.py)
    "Shots": "ショット",
    "M": "消音",
    "S": "ソロ",
    "Mute the {stem} lane in the preview": "プレビューで{stem}レーンをミュート",
    "Hear only the soloed lanes in the preview ({stem})": "プレビューでソロにしたレーンだけを聞く（{stem}）",
    "1 video": "1 本の動画",
    "Queued {t}.": "{t} を順番待ちに追加しました。",
    "Saving take…": "テイクを保存中…",
    "< Back": "< 戻る",
    "Next >": "次へ >",
    "Cancel": "キャンセル",
    "Finish": "完了",
    "The webcam could not be opened. Check it is connected and not used by another app, or choose a video file with “Video file…”.": "ウェブカメラを開けませんでした。接続されていて他のアプリが使っていないか確認するか、「動画ファイル…」で動画ファイルを選んでください。",
    "Mute": "ミュート",
    "[camera: dolly in]": "[カメラ: ドリーイン]",
    '"…"': "「…」",
    "{sfx: door}": "{効果音: ドア}",
    "Sketch": "スケッチ",
    "Diffusers": "Diffusers",
    "this computer has no usable GPU, so video models would take hours per shot or fail": "このコンピューターには使える GPU がないため、動画モデルは 1 ショットに数時間かかるか失敗します",
    "no video model is installed yet": "動画モデルがまだインストールされていません",
    "The Diffusers engine can't render here: {r}. Open the Models window to see what this machine can run, or switch the shot's engine to Sketch.": "Diffusers エンジンはここでは描画できません: {r}。このマシンで動かせるものはモデルウィンドウで確認するか、ショットのエンジンをスケッチに切り替えてください。",
    "Diffusers engine not ready": "Diffusers エンジンの準備ができていません",
    "Open the Models window now?": "今すぐモデルウィンドウを開きますか？",
    "open the Models window (toolbar) to install or check the model": "ツールバーのモデルウィンドウでモデルをインストールまたは確認してください",
    # Models: gated repositories (issue 10, finding 5)
    "{r} is a gated repository: accept its terms on https://huggingface.co/{r}, then log in with `hf auth login` or set HF_TOKEN":
        "{r} はアクセス制限付きのリポジトリです: https://huggingface.co/{r} で利用規約に同意してから、`hf auth login` でログインするか HF_TOKEN を設定してください",
    # --- Feed letterbox and Models window (issue 11)
    "Automatic": "自動",
    "Picks the fastest profile that fits the free GPU memory when a job starts.": "ジョブの開始時に、空いている GPU メモリに収まるいちばん速いプロファイルを選びます。",
    "Fastest: all on the GPU": "最速: すべて GPU 上",
    "The whole model stays in GPU memory at 16-bit precision: the fastest, and it needs the most VRAM.": "モデル全体を 16 ビット精度で GPU メモリに置きます。いちばん速く、VRAM もいちばん多く必要です。",
    "Smaller weights (8-bit)": "重みを小さく（8 ビット）",
    "The weights are stored in 8 bits and computed at full precision: about half the VRAM of the fastest profile, a little slower.": "重みを 8 ビットで保存し、計算は元の精度で行います。VRAM は最速プロファイルの約半分で、少し遅くなります。",
    "One part at a time on the GPU": "一度に 1 つの部分だけ GPU に",
    "Only the part of the model that is working (text encoder, video model, decoder) is on the GPU; the rest waits in system memory. Less VRAM, somewhat slower.": "動いている部分（テキストエンコーダー、動画モデル、デコーダー）だけを GPU に置き、残りはシステムメモリで待機します。VRAM は少なく、やや遅くなります。",
    "Layers streamed to the GPU": "レイヤーを GPU へ順に転送",
    "Groups of layers are copied to the GPU as they are needed: much less VRAM, slower; needs plenty of system memory.": "必要になったレイヤーのまとまりを GPU にコピーします。VRAM は大幅に少なく、遅くなります。システムメモリが多く必要です。",
    "Least GPU memory (slowest)": "GPU メモリ最小（最も遅い）",
    "One layer at a time on the GPU, and the picture decoded in tiles: runs on small GPUs, many times slower.": "GPU には一度に 1 レイヤーだけを置き、画像はタイルに分けてデコードします。小さな GPU でも動きますが、何倍も遅くなります。",
    "{p}: {g} GB": "{p}: {g} GB",
    "This machine: {g} with {v} GB of GPU memory (VRAM).": "このマシン: {g}（GPU メモリ {v} GB）。",
    "No NVIDIA GPU found: the video models below cannot run on this machine.": "NVIDIA GPU が見つかりません。下の動画モデルはこのマシンでは動きません。",
    "Free disk space where models are stored ({p}): unknown.": "モデルの保存場所（{p}）の空きディスク容量: 不明。",
    "{f} GB free where models are stored ({p}).": "モデルの保存場所（{p}）の空き容量: {f} GB。",
    "Without an NVIDIA GPU, the Sketch engine renders every shot, with sound, in seconds; the video models in this list need an NVIDIA GPU with the VRAM shown.": "NVIDIA GPU がなくても、スケッチエンジンならすべてのショットを音付きで数秒で描画できます。この一覧の動画モデルには、表示された VRAM を持つ NVIDIA GPU が必要です。",
    "This model needs an NVIDIA GPU; on this machine only the Sketch engine can render.": "このモデルには NVIDIA GPU が必要です。このマシンで描画できるのはスケッチエンジンだけです。",
    "{m} needs {n} GB of disk space; only {f} GB is free in {p}.": "{m} には {n} GB のディスク容量が必要ですが、{p} の空きは {f} GB しかありません。",
    "Install it anyway?": "それでもインストールしますか？",
    "Install {m}?": "{m} をインストールしますか？",
    "{m} was not installed.": "{m} はインストールしませんでした。",
    # --- revoked cameos marked on takes (integrity2, issue 16 item 1)
    "cameo revoked": "カメオ取り消し済み",
    "cameo unavailable": "カメオ使用不可",
    "The video is complete, but the feed could not be written; it joins the feed when it can.": "動画は完成しましたが、フィードに書き込めませんでした。書き込めるようになるとフィードに追加されます。",
}
