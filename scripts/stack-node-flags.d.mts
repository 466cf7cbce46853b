/** Node flags of the process that runs the local stack (./stack-node-flags.mjs). */
export declare const STACK_NODE_FLAGS: string[];
