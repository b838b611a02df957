"""The kiosk's user-facing texts, Russian (the default) and English."""

from __future__ import annotations

from typing import Literal

Language = Literal["ru", "en"]

TEXTS: dict[str, dict[str, str]] = {
    "ru": {
        "title": "Профориентационная диагностика",
        "lang_switch": "English",
        "large_on": "Крупный шрифт",
        "large_off": "Обычный шрифт",
        "start_heading": "Начало",
        "notice": (
            "Ответы сохраняются на этом компьютере и видны только консультанту. "
            "Имя не обязательно; нажимая «Начать», вы соглашаетесь пройти опросник."
        ),
        "respondent_id": "Номер (оставьте пустым, чтобы создать автоматически)",
        "age": "Возраст (полных лет)",
        "sex": "Пол",
        "sex_none": "не указан",
        "sex_f": "женский",
        "sex_m": "мужской",
        "grade": "Класс",
        "grade_none": "не учусь в школе",
        "stage": "Этап",
        "stage_none": "не указан",
        "stage_grade9": "9 класс",
        "stage_grade11": "11 класс",
        "stage_adult_without_profession": "взрослый без профессии",
        "stage_adult_with_profession": "взрослый с профессией",
        "given_name": "Имя (по желанию, для отчёта)",
        "start": "Начать",
        "bad_field": "Проверьте поле «{field}»",
        "item_of": "Вопрос {position} из {total}",
        "progress": "Ход опроса",
        "time_left": "Осталось времени",
        "skip": "Пропустить",
        "back": "Назад",
        "number": "Ваш ответ (число)",
        "submit": "Ответить",
        "time_up": "Время на эту часть закончилось; переходим дальше.",
        "refused": "Ответ не принят, попробуйте ещё раз.",
        "instructions_heading": "Часть на время",
        "instructions": (
            "В этой части на все задания даётся {minutes} мин. Время пойдёт, когда вы "
            "нажмёте «Начать часть». Отвечайте быстро и точно; на экране будет виден "
            "оставшийся срок. Когда время закончится, часть завершится сама."
        ),
        "begin": "Начать часть",
        "done_heading": "Готово!",
        "done": "Спасибо! Все ответы сохранены. Результаты обсудите с консультантом.",
        "next_person": "Следующий участник",
        "counsellor": "Консультант",
        "pin": "PIN-код",
        "login": "Войти",
        "logout": "Выйти",
        "bad_pin": "Неверный PIN-код.",
        "locked": "Слишком много попыток. Повторите через {seconds} с.",
        "no_pin": (
            "PIN-код консультанта не задан. Создайте его командой: profdiag kiosk pin --data …"
        ),
        "finished_sessions": "Завершённые сессии",
        "none_finished": "Завершённых сессий пока нет.",
        "col_id": "Номер",
        "col_name": "Имя",
        "col_when": "Завершена (UTC)",
        "col_reports": "Отчёты",
        "client_pdf": "Отчёт участника (PDF)",
        "counsellor_pdf": "Отчёт консультанта (PDF)",
        "not_found": "Страница не найдена.",
        "forbidden": "Запрос отклонён.",
        "home": "На главную",
    },
    "en": {
        "title": "Career guidance assessment",
        "lang_switch": "Русский",
        "large_on": "Large print",
        "large_off": "Normal print",
        "start_heading": "Start",
        "notice": (
            "Your answers are saved on this computer and seen by the counsellor only. "
            "A name is optional; by pressing Start you agree to take the questionnaire."
        ),
        "respondent_id": "Number (leave empty to have one made)",
        "age": "Age (years)",
        "sex": "Sex",
        "sex_none": "not given",
        "sex_f": "female",
        "sex_m": "male",
        "grade": "School grade",
        "grade_none": "not at school",
        "stage": "Stage",
        "stage_none": "not given",
        "stage_grade9": "grade 9",
        "stage_grade11": "grade 11",
        "stage_adult_without_profession": "adult without a profession",
        "stage_adult_with_profession": "adult with a profession",
        "given_name": "Given name (optional, for the report)",
        "start": "Start",
        "bad_field": "Please check the field “{field}”",
        "item_of": "Question {position} of {total}",
        "progress": "Progress",
        "time_left": "Time left",
        "skip": "Skip",
        "back": "Back",
        "number": "Your answer (a number)",
        "submit": "Answer",
        "time_up": "The time for this part is over; moving on.",
        "refused": "The answer was not accepted; please try again.",
        "instructions_heading": "A timed part",
        "instructions": (
            "You have {minutes} min for all tasks of this part. The time starts when you "
            "press Begin. Answer quickly and accurately; the time left is shown on the "
            "screen. When it runs out, the part ends by itself."
        ),
        "begin": "Begin",
        "done_heading": "Done!",
        "done": "Thank you! All answers are saved. Discuss the results with the counsellor.",
        "next_person": "Next person",
        "counsellor": "Counsellor",
        "pin": "PIN",
        "login": "Log in",
        "logout": "Log out",
        "bad_pin": "Wrong PIN.",
        "locked": "Too many attempts. Try again in {seconds} s.",
        "no_pin": "No counsellor PIN is set. Create one with: profdiag kiosk pin --data …",
        "finished_sessions": "Finished sessions",
        "none_finished": "No finished sessions yet.",
        "col_id": "Number",
        "col_name": "Name",
        "col_when": "Finished (UTC)",
        "col_reports": "Reports",
        "client_pdf": "Client report (PDF)",
        "counsellor_pdf": "Counsellor report (PDF)",
        "not_found": "Page not found.",
        "forbidden": "Request refused.",
        "home": "Home",
    },
}
