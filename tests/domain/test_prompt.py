from studio.domain.prompt import TokenKind, parse_prompt, tokenize


def test_tokens_cover_every_mark_in_order():
    text = 'At dawn @Hana opens the door {sfx: door slam} [camera: dolly in] and says "hello" {ambience: rain}'
    kinds = [(t.kind, t.value) for t in tokenize(text)]
    assert kinds == [
        (TokenKind.CHARACTER, "Hana"),
        (TokenKind.SOUND, "sfx:door slam"),
        (TokenKind.CAMERA, "dolly in"),
        (TokenKind.DIALOGUE, "hello"),
        (TokenKind.SOUND, "ambience:rain"),
    ]
    for tok in tokenize(text):
        assert text[tok.start : tok.end] == tok.text


def test_japanese_marks_and_particles_after_names():
    text = "夜、@メイがカフェで「あと一章だけ」と言う {効果音: ドア} [カメラ: ズームイン] {環境音: 雨}"
    parsed = parse_prompt(text, known_names=("メイ",))
    assert parsed.characters == ("メイ",)
    assert parsed.camera == "ズームイン"
    assert [d.text for d in parsed.dialogue] == ["あと一章だけ"]
    assert parsed.dialogue[0].speaker == "メイ"
    assert parsed.sound_cues == (("sfx", "ドア"), ("ambience", "雨"))
    assert "{" not in parsed.text and "[" not in parsed.text and "メイがカフェで" in parsed.text


def test_plain_text_keeps_names_and_drops_marks():
    parsed = parse_prompt("@Ken runs {sfx: footsteps} [camera: pan left] through the park.")
    assert parsed.text == "Ken runs through the park."
    assert parsed.characters == ("Ken",)


def test_unknown_name_is_not_trimmed_and_quotes_inside_cues_do_not_overlap():
    toks = tokenize('@Unknownが {sfx: "quoted" thing}')
    assert toks[0].value == "Unknownが"
    assert [t.kind for t in toks] == [TokenKind.CHARACTER, TokenKind.SOUND]
