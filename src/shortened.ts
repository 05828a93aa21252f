/** `text` cut at `max` characters, its end marked with `...`: for messages that quote what a caller sent. */
export function shortened(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
