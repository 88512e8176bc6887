import type { ReactNode } from "react";

import type { Loadable } from "../hooks";

interface Props<T> {
  value: Loadable<T>;
  isEmpty?: (data: T) => boolean;
  empty?: string;
  children: (data: T) => ReactNode;
}

/** Loading, error and empty states in one place, so every panel shows them the same way. */
export function StateView<T>({ value, isEmpty, empty = "Nothing to show yet.", children }: Props<T>) {
  if (value.state === "loading") {
    return (
      <div className="state loading" role="status" aria-live="polite">
        Loading…
      </div>
    );
  }
  if (value.state === "error") {
    return (
      <div className="state error" role="alert">
        {value.message}
      </div>
    );
  }
  if (isEmpty?.(value.data)) {
    return <div className="state empty">{empty}</div>;
  }
  return <>{children(value.data)}</>;
}
