/** A FIFO with O(1) shift. */
export class Queue<T> {
  private items: T[] = [];
  private start = 0;
  get length() {
    return this.items.length - this.start;
  }
  push(item: T) {
    this.items.push(item);
  }
  peek(): T | undefined {
    return this.items[this.start];
  }
  shift(): T | undefined {
    const item = this.items[this.start++];
    if (this.start > 1024 && this.start * 2 > this.items.length) {
      this.items = this.items.slice(this.start);
      this.start = 0;
    }
    return item;
  }
  clear() {
    this.items = [];
    this.start = 0;
  }
}
