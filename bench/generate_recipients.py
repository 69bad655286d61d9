#!/usr/bin/env python3
"""Writes N generated recipients as CSV for the benchmarks: email,name,birthdate,products,consents.

usage: generate_recipients.py N PATH [CONSENTS]  (CONSENTS, such as product-news, gives everyone the same ones)
"""
import random
import sys

def main():
    count = int(sys.argv[1])
    path = sys.argv[2]
    everyone = sys.argv[3] if len(sys.argv) > 3 else None
    rng = random.Random(42)
    products = ["minilogue", "kronos", "volca", "prologue", "wavestate", "opsix"]
    first = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Margaret", "Linus"]
    last = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson", "Hamilton", "Torvalds"]
    with open(path, "w", newline="") as out:
        out.write("email,name,birthdate,products,consents\n")
        for index in range(count):
            name = f"{rng.choice(first)} {rng.choice(last)}"
            year = rng.randint(1940, 2008)
            chosen = ";".join(sorted(rng.sample(products, rng.randint(0, 2))))
            consents = everyone or rng.choice(["product-news", "promotions", "product-news;promotions", ""])
            out.write(f"user{index}@example{index % 97}.com,{name},{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d},{chosen},{consents}\n")

if __name__ == "__main__":
    main()
