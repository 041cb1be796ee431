"""Discussion of proposals: residents' comments, officers' official answers, comments that came
by letter, phone or at a meeting, and moderation with a reason shown in place of the text."""
