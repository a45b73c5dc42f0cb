/**
 * Renders an API Gateway mapping template the way API Gateway's Velocity
 * (VTL) engine does, for the subset Signpost's templates use: literal text
 * and `$context.…` references (also `${context.…}` and the quiet `$!` forms).
 * Anything beyond that subset — a directive (`#set`, `#if`, a `##` comment),
 * `$input`, `$util`, `$stageVariables` — throws, so a template that grows
 * past what this renderer models fails its test instead of being compared
 * wrongly. Velocity copies everything else verbatim, newlines included.
 */
export function renderMappingTemplate(template: string, context: Record<string, unknown>): string {
  if (/#(?:[a-zA-Z{#*])/.test(template)) throw new Error(`template uses a VTL directive or comment this renderer does not model: ${template}`);
  const reference = /\$(!?)(?:\{([A-Za-z][\w.]*)\}|([A-Za-z][\w]*(?:\.[A-Za-z][\w]*)*))/g;
  return template.replace(reference, (whole, quiet: string, braced: string | undefined, bare: string | undefined) => {
    const path = (braced ?? bare)!.split('.');
    if (path[0] !== 'context') throw new Error(`template refers to ${whole}, which this renderer does not model`);
    let value: unknown = context;
    for (const key of path.slice(1)) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    // Velocity prints an unresolved reference as written ($x), or nothing in its quiet form ($!x)
    if (value === undefined || value === null) return quiet ? '' : whole;
    return String(value);
  });
}
