/**
 * The little XML the query protocol needs: escaped text and elements, written as strings. Answers are
 * small and flat enough that a serializer library would add a dependency and nothing else.
 */

/**
 * Text as XML character data. Besides the five markup characters, CR is written as a reference:
 * XML parsers turn a literal CR (and CRLF) into LF, so a message body with `\r\n` would come back
 * changed. Tabs and newlines survive parsing and stay literal.
 */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"'\r]/g, (char) => XML_ESCAPES[char] ?? char);
}

const XML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\r': '&#xD;',
};

/** `<name>content</name>`; `content` is already XML. */
export function element(name: string, content: string): string {
  return `<${name}>${content}</${name}>`;
}

/** `<name>text</name>` with `text` escaped. */
export function textElement(name: string, text: string): string {
  return element(name, escapeXml(text));
}
