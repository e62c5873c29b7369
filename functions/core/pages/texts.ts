/**
 * What the customer-facing pages say, in every language Comeback ships messages in, as ICU
 * MessageFormat strings (the format of the message texts under workflows/templates/messages).
 * They live in code rather than beside the templates because the page functions are bundled
 * without the templates; the type makes a text missing in one language a compile error.
 *
 * A page speaks the customer's language: the locale of their profile when Comeback speaks it,
 * otherwise the first language of the browser's Accept-Language that it speaks, otherwise English.
 */
import { IntlMessageFormat } from 'intl-messageformat';
import { fallbackLanguage, formatDate, messageLocale, type Language, type MessageLocale } from '../delivery/i18n.ts';

const english = {
  backTo: 'Back to {shop}',
  unsubscribeTitleEmail: 'Unsubscribe from marketing emails',
  unsubscribeTitleSms: 'Unsubscribe from marketing text messages',
  unsubscribeLeadEmail: 'Stop getting marketing emails from {shop}: offers, news and reminders.',
  unsubscribeLeadSms: 'Stop getting marketing text messages from {shop}: offers, news and reminders.',
  stillEmail: 'Emails about your orders, such as confirmations and receipts, still reach you.',
  stillSms: 'Text messages about your orders still reach you.',
  unsubscribeButton: 'Unsubscribe',
  unsubscribedTitle: 'You are unsubscribed',
  unsubscribedBeforeEmail: 'You unsubscribed from marketing emails from {shop} on {date}. You get none from us any more.',
  unsubscribedBeforeSms: 'You unsubscribed from marketing text messages from {shop} on {date}. You get none from us any more.',
  unsubscribedNowEmail: 'You will get no more marketing emails from {shop}.',
  unsubscribedNowSms: 'You will get no more marketing text messages from {shop}.',
  feedbackTitle: 'How likely are you to recommend us?',
  feedbackQuestion: 'How likely are you to recommend {shop} to a friend or colleague?',
  feedbackHint: '0 is not at all likely, 10 is extremely likely.',
  feedbackPrevious: 'You answered {score} before. Pick again to change your answer.',
  feedbackComment: 'Anything you would like to tell us? (optional)',
  feedbackSend: 'Send',
  feedbackPickNumber: 'Pick a number from 0 to 10.',
  feedbackCommentTooLong: 'The comment is too long.',
  thanksTitle: 'Thank you!',
  thanksAnswered: 'You answered {score} out of 10. It helps {shop} get better.',
  thanksChanged: 'Your answer is changed to {score} out of 10. It helps {shop} get better.',
  thanksComment: 'Your comment: “{comment}”',
  thanksChange: 'Change your answer',
  invalidLinkTitle: 'This link does not work',
  invalidLink: 'The link may have been cut short or changed on its way. Open it again from the message {shop} sent you, or copy the whole address into the browser.',
  failedTitle: 'Something went wrong',
  failed: 'We could not finish this just now. Please try again in a minute.',
  refusedTitle: 'This request cannot be served',
  joinTitle: 'Join our loyalty program',
  joinLead: 'Join the {shop} loyalty program: every order earns points you can spend on the next one, and the more you buy, the higher your tier and its benefits.',
  joinPoints: 'You already have {points, plural, one {# point} other {# points}} waiting for you.',
  joinButton: 'Join',
  joinedTitle: 'Welcome to the program',
  joinedNow: 'You are a member of the {shop} loyalty program. Your orders from today count towards your tier.',
  joinedBefore: 'You joined the {shop} loyalty program on {date}.',
};

export type PageTextKey = keyof typeof english;

const pageTexts: Record<Language, Record<PageTextKey, string>> = {
  en: english,
  uk: {
    backTo: 'Повернутися до {shop}',
    unsubscribeTitleEmail: 'Відписатися від рекламних листів',
    unsubscribeTitleSms: 'Відписатися від рекламних SMS',
    unsubscribeLeadEmail: 'Більше не отримувати рекламних листів від {shop}: пропозицій, новин і нагадувань.',
    unsubscribeLeadSms: 'Більше не отримувати рекламних SMS від {shop}: пропозицій, новин і нагадувань.',
    stillEmail: 'Листи про ваші замовлення, як-от підтвердження й чеки, і далі надходитимуть.',
    stillSms: 'SMS про ваші замовлення і далі надходитимуть.',
    unsubscribeButton: 'Відписатися',
    unsubscribedTitle: 'Ви відписалися',
    unsubscribedBeforeEmail: 'Ви відписалися від рекламних листів {shop} {date}. Ми їх вам більше не надсилаємо.',
    unsubscribedBeforeSms: 'Ви відписалися від рекламних SMS {shop} {date}. Ми їх вам більше не надсилаємо.',
    unsubscribedNowEmail: 'Ви більше не отримуватимете рекламних листів від {shop}.',
    unsubscribedNowSms: 'Ви більше не отримуватимете рекламних SMS від {shop}.',
    feedbackTitle: 'Наскільки ймовірно, що ви нас порекомендуєте?',
    feedbackQuestion: 'Наскільки ймовірно, що ви порекомендуєте {shop} другові чи колезі?',
    feedbackHint: '0 — зовсім неймовірно, 10 — надзвичайно ймовірно.',
    feedbackPrevious: 'Раніше ви відповіли {score}. Оберіть ще раз, щоб змінити відповідь.',
    feedbackComment: 'Хочете щось нам сказати? (необов’язково)',
    feedbackSend: 'Надіслати',
    feedbackPickNumber: 'Оберіть число від 0 до 10.',
    feedbackCommentTooLong: 'Коментар задовгий.',
    thanksTitle: 'Дякуємо!',
    thanksAnswered: 'Ваша оцінка: {score} з 10. Це допомагає {shop} ставати кращим.',
    thanksChanged: 'Вашу оцінку змінено на {score} з 10. Це допомагає {shop} ставати кращим.',
    thanksComment: 'Ваш коментар: «{comment}»',
    thanksChange: 'Змінити відповідь',
    invalidLinkTitle: 'Це посилання не працює',
    invalidLink: 'Можливо, посилання обрізалося або змінилося дорогою. Відкрийте його ще раз із повідомлення, яке надіслав вам {shop}, або скопіюйте в браузер усю адресу.',
    failedTitle: 'Щось пішло не так',
    failed: 'Зараз не вдалося це завершити. Спробуйте, будь ласка, за хвилину.',
    refusedTitle: 'Цей запит неможливо виконати',
    joinTitle: 'Приєднуйтеся до програми лояльності',
    joinLead: 'Приєднуйтеся до програми лояльності {shop}: кожне замовлення приносить бали, якими можна оплатити наступне, а що більше ви купуєте, то вищий ваш рівень і його переваги.',
    joinPoints: 'На вас уже чекають бали: {points}.',
    joinButton: 'Приєднатися',
    joinedTitle: 'Ласкаво просимо до програми',
    joinedNow: 'Ви учасник програми лояльності {shop}. Ваші замовлення від сьогодні враховуються для вашого рівня.',
    joinedBefore: 'Ви приєдналися до програми лояльності {shop} {date}.',
  },
  ru: {
    backTo: 'Вернуться в {shop}',
    unsubscribeTitleEmail: 'Отписаться от рекламных писем',
    unsubscribeTitleSms: 'Отписаться от рекламных SMS',
    unsubscribeLeadEmail: 'Больше не получать рекламных писем от {shop}: предложений, новостей и напоминаний.',
    unsubscribeLeadSms: 'Больше не получать рекламных SMS от {shop}: предложений, новостей и напоминаний.',
    stillEmail: 'Письма о ваших заказах, например подтверждения и чеки, будут приходить и дальше.',
    stillSms: 'SMS о ваших заказах будут приходить и дальше.',
    unsubscribeButton: 'Отписаться',
    unsubscribedTitle: 'Вы отписались',
    unsubscribedBeforeEmail: 'Вы отписались от рекламных писем {shop} {date}. Мы их вам больше не отправляем.',
    unsubscribedBeforeSms: 'Вы отписались от рекламных SMS {shop} {date}. Мы их вам больше не отправляем.',
    unsubscribedNowEmail: 'Вы больше не будете получать рекламных писем от {shop}.',
    unsubscribedNowSms: 'Вы больше не будете получать рекламных SMS от {shop}.',
    feedbackTitle: 'Насколько вероятно, что вы нас порекомендуете?',
    feedbackQuestion: 'Насколько вероятно, что вы порекомендуете {shop} другу или коллеге?',
    feedbackHint: '0 — совсем маловероятно, 10 — очень вероятно.',
    feedbackPrevious: 'Раньше вы ответили {score}. Выберите ещё раз, чтобы изменить ответ.',
    feedbackComment: 'Хотите что-то нам сказать? (необязательно)',
    feedbackSend: 'Отправить',
    feedbackPickNumber: 'Выберите число от 0 до 10.',
    feedbackCommentTooLong: 'Комментарий слишком длинный.',
    thanksTitle: 'Спасибо!',
    thanksAnswered: 'Ваша оценка: {score} из 10. Это помогает {shop} становиться лучше.',
    thanksChanged: 'Ваша оценка изменена на {score} из 10. Это помогает {shop} становиться лучше.',
    thanksComment: 'Ваш комментарий: «{comment}»',
    thanksChange: 'Изменить ответ',
    invalidLinkTitle: 'Эта ссылка не работает',
    invalidLink: 'Возможно, ссылка обрезалась или изменилась по дороге. Откройте её ещё раз из сообщения, которое прислал вам {shop}, или скопируйте в браузер весь адрес.',
    failedTitle: 'Что-то пошло не так',
    failed: 'Сейчас не удалось это завершить. Попробуйте, пожалуйста, через минуту.',
    refusedTitle: 'Этот запрос невозможно выполнить',
    joinTitle: 'Присоединяйтесь к программе лояльности',
    joinLead: 'Присоединяйтесь к программе лояльности {shop}: каждый заказ приносит баллы, которыми можно оплатить следующий, а чем больше вы покупаете, тем выше ваш уровень и его преимущества.',
    joinPoints: 'Вас уже ждут баллы: {points}.',
    joinButton: 'Присоединиться',
    joinedTitle: 'Добро пожаловать в программу',
    joinedNow: 'Вы участник программы лояльности {shop}. Ваши заказы с сегодняшнего дня учитываются для вашего уровня.',
    joinedBefore: 'Вы присоединились к программе лояльности {shop} {date}.',
  },
  de: {
    backTo: 'Zurück zu {shop}',
    unsubscribeTitleEmail: 'Von Werbe-E-Mails abmelden',
    unsubscribeTitleSms: 'Von Werbe-SMS abmelden',
    unsubscribeLeadEmail: 'Keine Werbe-E-Mails mehr von {shop}: keine Angebote, Neuigkeiten und Erinnerungen.',
    unsubscribeLeadSms: 'Keine Werbe-SMS mehr von {shop}: keine Angebote, Neuigkeiten und Erinnerungen.',
    stillEmail: 'E-Mails zu Ihren Bestellungen, etwa Bestätigungen und Belege, erhalten Sie weiterhin.',
    stillSms: 'SMS zu Ihren Bestellungen erhalten Sie weiterhin.',
    unsubscribeButton: 'Abmelden',
    unsubscribedTitle: 'Sie sind abgemeldet',
    unsubscribedBeforeEmail: 'Sie haben sich am {date} von den Werbe-E-Mails von {shop} abgemeldet. Sie erhalten keine mehr von uns.',
    unsubscribedBeforeSms: 'Sie haben sich am {date} von den Werbe-SMS von {shop} abgemeldet. Sie erhalten keine mehr von uns.',
    unsubscribedNowEmail: 'Sie erhalten keine Werbe-E-Mails mehr von {shop}.',
    unsubscribedNowSms: 'Sie erhalten keine Werbe-SMS mehr von {shop}.',
    feedbackTitle: 'Wie wahrscheinlich empfehlen Sie uns weiter?',
    feedbackQuestion: 'Wie wahrscheinlich ist es, dass Sie {shop} einem Freund oder Kollegen empfehlen?',
    feedbackHint: '0 heißt überhaupt nicht wahrscheinlich, 10 äußerst wahrscheinlich.',
    feedbackPrevious: 'Sie haben zuvor {score} geantwortet. Wählen Sie erneut, um Ihre Antwort zu ändern.',
    feedbackComment: 'Möchten Sie uns etwas mitteilen? (optional)',
    feedbackSend: 'Senden',
    feedbackPickNumber: 'Wählen Sie eine Zahl von 0 bis 10.',
    feedbackCommentTooLong: 'Der Kommentar ist zu lang.',
    thanksTitle: 'Vielen Dank!',
    thanksAnswered: 'Ihre Antwort: {score} von 10. Das hilft {shop}, besser zu werden.',
    thanksChanged: 'Ihre Antwort ist jetzt {score} von 10. Das hilft {shop}, besser zu werden.',
    thanksComment: 'Ihr Kommentar: „{comment}“',
    thanksChange: 'Antwort ändern',
    invalidLinkTitle: 'Dieser Link funktioniert nicht',
    invalidLink: 'Der Link wurde unterwegs vielleicht gekürzt oder verändert. Öffnen Sie ihn erneut aus der Nachricht, die {shop} Ihnen geschickt hat, oder kopieren Sie die ganze Adresse in den Browser.',
    failedTitle: 'Etwas ist schiefgelaufen',
    failed: 'Das ließ sich gerade nicht abschließen. Bitte versuchen Sie es in einer Minute erneut.',
    refusedTitle: 'Diese Anfrage kann nicht bearbeitet werden',
    joinTitle: 'Werden Sie Mitglied unseres Treueprogramms',
    joinLead: 'Werden Sie Mitglied im Treueprogramm von {shop}: Jede Bestellung bringt Punkte, mit denen Sie die nächste bezahlen können, und je mehr Sie kaufen, desto höher Ihre Stufe und ihre Vorteile.',
    joinPoints: 'Es warten schon {points, plural, one {# Punkt} other {# Punkte}} auf Sie.',
    joinButton: 'Mitglied werden',
    joinedTitle: 'Willkommen im Programm',
    joinedNow: 'Sie sind Mitglied im Treueprogramm von {shop}. Ihre Bestellungen zählen ab heute für Ihre Stufe.',
    joinedBefore: 'Sie sind dem Treueprogramm von {shop} am {date} beigetreten.',
  },
};

const formats = new Map<string, IntlMessageFormat>();

/** The text `key` in the page's language, its arguments filled in. */
export function pageText(where: MessageLocale, key: PageTextKey, values: Record<string, string | number> = {}): string {
  const cacheKey = `${where.language}\u0000${where.locale}\u0000${key}`;
  let format = formats.get(cacheKey);
  if (!format) {
    format = new IntlMessageFormat(pageTexts[where.language][key], where.locale);
    formats.set(cacheKey, format);
  }
  return String(format.format(values));
}

/** A day as the page's locale writes it (UTC: the page does not know the reader's time zone). */
export function pageDate(where: MessageLocale, iso: string): string {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : formatDate(at, where.locale, 'UTC');
}

/**
 * The page's language: the profile's locale when Comeback speaks its language, else the browser's
 * first spoken language by Accept-Language weight (`uk-UA,uk;q=0.9,en;q=0.8`), else English.
 */
export function pageLocale(profileLocale: string | null | undefined, acceptLanguage: string | undefined): MessageLocale {
  const fromProfile = messageLocale(profileLocale);
  if (fromProfile.language !== fallbackLanguage || /^en\b/i.test(profileLocale ?? '')) return fromProfile;
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part, index) => {
      const [tag = '', ...parameters] = part.trim().split(';');
      const q = Number(/^\s*q=([\d.]+)\s*$/.exec(parameters.join(';'))?.[1] ?? '1');
      return { tag: tag.trim(), q: Number.isFinite(q) ? q : 0, index };
    })
    .filter((candidate) => candidate.tag !== '' && candidate.tag !== '*' && candidate.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranked) {
    const where = messageLocale(tag);
    if (where.language !== fallbackLanguage || /^en\b/i.test(tag)) return where;
  }
  return messageLocale(undefined);
}
