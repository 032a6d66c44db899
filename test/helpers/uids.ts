// A uid no other test uses, so tests never see each other's messages.
let next = 0;
export const freshUid = (label: string): string => `${label}-${Date.now().toString(36)}-${next++}`;
