"""`nhacviec demo` tells the whole story offline and exits 0."""
from bot.demo.story import run_demo


def test_the_demo_tells_the_whole_story(capsys):
    assert run_demo() == 0
    out = capsys.readouterr().out
    for moment in ("Chào mừng", "Mã mời không đúng",                 # invites and registration
                   "Nhiệm vụ mới giao cho",                          # tasks loaded, units told
                   "🔔 Nhắc việc — nhiệm vụ", "Nhắc việc đầu tuần",   # reminders, weekly nudge
                   "Đã ghi nhận", "Đã hoàn tác", "Đã đồng ý",        # replies, undo, extension
                   "⚠️ Quá hạn", "Đơn vị chậm thực hiện",             # overdue and escalation
                   "Tỷ lệ hoàn thành", "phục vụ cuộc họp"):          # /status and the digest
        assert moment in out, moment
    assert "Traceback" not in out
